// The Benchmark tab: recur bench's standard workload in the train worker. `?bench=lstm-256` (and
// optionally &batch= &steps= &vocab= &seconds=) fills the form and runs it once the kernels load.
import { $, fmt, inputEl, message, numberFrom, selectEl } from './dom';
import { t } from './i18n';
import type { BenchRequest, FromTrainWorker } from './protocol';
import type { PageState } from './state';

export function setupBench(worker: Worker, state: PageState, params: URLSearchParams): { handle: (m: FromTrainWorker) => void; autoRun: boolean } {
  const flag = params.get('bench');
  if (flag !== null) {
    const [cell, hidden] = flag.split('-');
    if (cell) selectEl('bench-cell').value = cell;
    if (hidden) inputEl('bench-hidden').value = hidden;
    for (const key of ['batch', 'steps', 'vocab', 'seconds']) { const v = params.get(key); if (v !== null) inputEl(`bench-${key}`).value = v; }
  }
  const run = () => {
    message('bench-msg', null);
    try {
      const cell = selectEl('bench-cell').value as BenchRequest['cell'];
      if (!['lstm', 'gru', 'rnn'].includes(cell)) throw new Error(`cell: expected lstm, gru or rnn, got ${JSON.stringify(cell)}`);
      const int = (k: string, name: string, min: number) => numberFrom(`bench-${k}`, name, { min, max: 1e5, integer: true });
      const request: BenchRequest = {
        cell, hidden: int('hidden', t('train.hidden'), 1), batch: int('batch', t('train.batch'), 1), steps: int('steps', t('bench.steps'), 1),
        vocab: int('vocab', t('bench.vocab'), 2), seconds: numberFrom('bench-seconds', t('bench.seconds'), { min: 0.1, max: 60 }),
      };
      $<HTMLButtonElement>('bench-run').disabled = true;
      worker.postMessage({ type: 'bench', request });
    } catch (e) {
      message('bench-msg', (e as Error).message);
    }
  };
  $('bench-run').addEventListener('click', run);
  let pending = flag !== null;
  return {
    autoRun: pending,
    handle: (m) => {
      if (m.type === 'ready' && pending) { pending = false; run(); }
      if (m.type === 'bench') {
        $<HTMLButtonElement>('bench-run').disabled = false;
        const r = m.result;
        const row = document.createElement('tr');
        for (const v of [`${r.cell.toUpperCase()} H=${r.hidden} B=${r.batch} T=${r.steps} V=${r.vocab}`, r.backend, String(r.threads), fmt(r.tokensPerSecond), fmt(r.gflops, 2)]) {
          const td = document.createElement('td');
          td.textContent = v;
          row.append(td);
        }
        $('bench-results').append(row);
        state.bench = r;
      }
      if (m.type === 'error' && m.where === 'bench') {
        $<HTMLButtonElement>('bench-run').disabled = false;
        message('bench-msg', m.message);
      }
    },
  };
}
