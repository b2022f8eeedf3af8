// The tools (Train, Gradient lab, Checkpoints, Benchmark): their two workers and the wiring between
// them and each panel. Started on the first visit to a tool, so reading the notes loads no kernels.
import { setupBench } from './bench';
import { setupCheckpoints } from './checkpoints';
import { $ } from './dom';
import { t } from './i18n';
import { setupLab } from './lab';
import type { FromTrainWorker } from './protocol';
import type { PageState } from './state';
import { setupTrain } from './train';

/** Start the tools' workers and wire their panels; `autoBench` when ?bench= asks for a run. */
export function startTools(state: PageState, params: URLSearchParams): { autoBench: boolean } {
  const trainWorker = new Worker(new URL('./train-worker.ts', import.meta.url), { type: 'module' });
  const labWorker = new Worker(new URL('./lab-worker.ts', import.meta.url), { type: 'module' });
  const handlers = [setupTrain(trainWorker, state), setupCheckpoints(trainWorker, state)];
  const bench = setupBench(trainWorker, state, params);
  setupLab(labWorker, state);
  const env = () => {
    const r = state.ready;
    if (!r) return;
    $('env').textContent = `${r.backend} · ${t(r.isolated ? 'env.isolated' : 'env.notIsolated')} · ${t(r.threads > 1 ? 'env.threads' : 'env.thread', { n: r.threads })}`;
  };
  trainWorker.onmessage = ({ data: m }: MessageEvent<FromTrainWorker>) => {
    if (m.type === 'ready') {
      state.ready = { backend: m.backend, isolated: m.isolated, threads: m.threads };
      env();
    }
    if (m.type === 'error') state.errors.push(m);
    for (const h of handlers) h(m);
    bench.handle(m);
  };
  for (const w of [trainWorker, labWorker]) {
    w.onerror = (e) => { $('env').textContent = t('env.workerFailed', { message: e.message }); state.errors.push({ where: 'worker', message: e.message }); };
  }
  $('env').textContent = t('env.loading');
  return { autoBench: bench.autoRun };
}
