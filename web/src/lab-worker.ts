// The gradient lab's worker: `recur gradients` on random models. For each cell, W_hh scaled to
// spectral radius ρ, L = Σ h_{T−1}: ‖∂L/∂h_{T−1−d}‖ for every distance d, and the (T,T) heatmap
// ‖∂L_t/∂h_k‖. Float64 TypeScript kernels, as the CLI's default: a gradient of 1e-40 stays visible.
import {
  RecurError, jsKernels, describeCell, gradientHeatmap, gradientNorms, randomInput, randomStack,
} from 'recur';
import type { FromLabWorker, LabRequest, LabSeries } from './protocol';
import { integerIn } from './notes/check.js';

const scope = self as unknown as { postMessage(m: FromLabWorker, transfer?: Transferable[]): void; onmessage: ((e: MessageEvent<LabRequest>) => void) | null };

function check(q: LabRequest): void {
  if (q.cells.length === 0) throw new RecurError('choose at least one cell');
  integerIn(q.steps, 'sequence length', 2, 1000);
  integerIn(q.hidden, 'hidden size', 1, 256);
  if (!(Number.isFinite(q.radius) && q.radius >= 0 && q.radius <= 10)) throw new RecurError(`spectral radius: expected a number in 0..10, got ${q.radius}`);
}

function lab(q: LabRequest): FromLabWorker {
  check(q);
  const t0 = performance.now();
  const k = jsKernels('float64');
  const T = q.steps, B = 1, H = q.hidden;
  const x = randomInput(T, B, H, q.seed + 7919, k);
  const series: LabSeries[] = q.cells.map((cell) => {
    const noWhh = cell === 'residual'; // h + g(x): no recurrent weights to scale
    const stack = randomStack({
      cell, hidden: H, inputSize: H, seed: q.seed, whh: noWhh ? 'uniform' : q.whh, radius: noWhh ? undefined : q.radius,
      activation: cell === 'rnn' || cell.startsWith('residual') ? q.activation : undefined,
    }, k);
    const flow = gradientNorms(stack, { x, T, B });
    return {
      cell, label: describeCell(stack.config), gradNorm: flow.gradNorm, rate: flow.rate,
      heatmap: gradientHeatmap(stack, { x, T, B }), ...(noWhh ? { note: 'lab.noteNoWhh' } : {}),
    };
  });
  return { type: 'lab', request: q, distance: Array.from({ length: T }, (_, d) => d), series, seconds: (performance.now() - t0) / 1000 };
}

scope.onmessage = ({ data }) => {
  try {
    const result = lab(data);
    scope.postMessage(result, result.type === 'lab' ? result.series.flatMap((s) => (s.heatmap ? [s.heatmap.buffer as ArrayBuffer] : [])) : []);
  } catch (e) {
    scope.postMessage({ type: 'error', where: 'lab', message: e instanceof Error ? e.message : String(e) });
  }
};
