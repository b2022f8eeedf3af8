/**
 * @module analysis/param-norms
 * Per-parameter L2 norms, for the training logs: which tensor carries the gradient (or has grown).
 * The global norm that clipping uses is √(Σ of their squares): see train/clip's globalNorm.
 */
import type { ParamSet } from '../layers/params.js';

/**
 * ‖·‖₂ of every parameter's gradient (default) or of its values, by state_dict name:
 * `{ "rnn.weight_hh_l0": 0.31, ... }`. Call it before clipping for the raw gradients.
 */
export function parameterNorms(params: ParamSet, of: 'grad' | 'data' = 'grad'): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of params.list) {
    const a = of === 'grad' ? p.grad : p.data;
    let s = 0;
    for (let i = 0; i < a.length; i++) s += a[i]! * a[i]!;
    out[p.name] = Math.sqrt(s);
  }
  return out;
}
