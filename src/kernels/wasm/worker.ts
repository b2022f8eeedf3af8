/**
 * @module kernels/wasm/worker
 * The entry point of a kernel worker thread (a Node worker_threads Worker, or a browser module
 * Worker): it receives the compiled module and the shared memory, instantiates the module on that
 * memory, says it is ready, and runs jobs until told to quit (kernels/wasm/jobs). It never
 * allocates in the memory: its gemm scratch is a block the calling thread's allocator set aside.
 */
import { opTable, workerLoop, type WorkerInit } from './jobs.js';

interface Port {
  postMessage(message: unknown): void;
}

function start(init: WorkerInit, port: Port): void {
  let fns;
  try {
    const instance = new WebAssembly.Instance(init.module, { env: { memory: init.memory } });
    fns = opTable(instance.exports);
  } catch (e) {
    port.postMessage({ error: (e as Error).message });
    return;
  }
  port.postMessage({ ready: true });
  workerLoop(init, fns);
  port.postMessage({ quit: true });
}

const nodeVersion = (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node;
if (typeof nodeVersion === 'string') {
  const specifier = 'node:worker_threads';
  // a structural type, not typeof import('node:worker_threads'): this file also type-checks without Node's
  const wt = (await import(/* @vite-ignore */ /* webpackIgnore: true */ specifier)) as {
    parentPort: (Port & { once(event: 'message', f: (init: WorkerInit) => void): unknown }) | null;
  };
  const port = wt.parentPort;
  if (port) port.once('message', (init: WorkerInit) => start(init, port));
} else {
  // a module Worker in a browser: the first message starts it
  const scope = globalThis as unknown as Port & { onmessage: ((e: { data: WorkerInit }) => void) | null };
  scope.onmessage = (e) => {
    scope.onmessage = null;
    start(e.data, scope);
  };
}
