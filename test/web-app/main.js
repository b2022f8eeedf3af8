// The page: it starts the app's Worker (the kernels need a thread that may block) and puts what
// the Worker reports on window.result. `?mode=default` loads the kernels without createWorker.
const mode = new URLSearchParams(location.search).get('mode') ?? 'recipe';
const worker = new Worker(new URL('./kernels-worker.js', import.meta.url), { type: 'module' });
worker.onmessage = (e) => { window.result = e.data; };
worker.onerror = (e) => { window.result = { error: e.message || 'the app worker failed to load' }; };
worker.postMessage({ mode, isolated: window.crossOriginIsolated === true });
