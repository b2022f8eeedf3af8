// The playground page: tabs, the two workers, and the wiring between them and each tab.
// URL flags: ?tab=train|lab|checkpoints|bench opens a tab; ?bench=lstm-256 runs the benchmark.
import { setupBench } from './bench';
import { setupCheckpoints } from './checkpoints';
import { $ } from './dom';
import { setupLab } from './lab';
import type { FromTrainWorker } from './protocol';
import { pageState } from './state';
import { setupTrain } from './train';

const state = pageState();
(window as unknown as { playground: typeof state }).playground = state;

for (const form of document.forms) form.addEventListener('submit', (e) => e.preventDefault());

function showTab(name: string): void {
  for (const b of document.querySelectorAll<HTMLButtonElement>('nav [role="tab"]')) b.setAttribute('aria-selected', String(b.dataset.tab === name));
  for (const s of document.querySelectorAll<HTMLElement>('[role="tabpanel"]')) s.hidden = s.id !== `tab-${name}`;
  window.dispatchEvent(new Event('resize'));
}
for (const b of document.querySelectorAll<HTMLButtonElement>('nav [role="tab"]')) b.addEventListener('click', () => showTab(b.dataset.tab!));

const params = new URLSearchParams(location.search);
const trainWorker = new Worker(new URL('./train-worker.ts', import.meta.url), { type: 'module' });
const labWorker = new Worker(new URL('./lab-worker.ts', import.meta.url), { type: 'module' });

const handlers = [setupTrain(trainWorker, state), setupCheckpoints(trainWorker, state)];
const bench = setupBench(trainWorker, state, params);
setupLab(labWorker, state);
const tab = params.get('tab') ?? 'train';
showTab(bench.autoRun ? 'bench' : document.getElementById(`tab-${tab}`) ? tab : 'train');

trainWorker.onmessage = ({ data: m }: MessageEvent<FromTrainWorker>) => {
  if (m.type === 'ready') {
    state.ready = { backend: m.backend, isolated: m.isolated, threads: m.threads };
    $('env').textContent = `${m.backend} · ${m.isolated ? 'cross-origin isolated: shared, growable memory' : 'not cross-origin isolated: fixed 256 MiB memory'}` +
      ` · ${m.threads} thread${m.threads > 1 ? 's' : ''}`;
  }
  if (m.type === 'error') state.errors.push(m);
  for (const h of handlers) h(m);
  bench.handle(m);
};
for (const w of [trainWorker, labWorker]) {
  w.onerror = (e) => { $('env').textContent = `worker failed: ${e.message}`; state.errors.push({ where: 'worker', message: e.message }); };
}
