/**
 * @module train/clip
 * Gradient clipping, the notes' remedy for exploding gradients:
 *
 *   g ← min(1, θ / ‖g‖) · g        by global norm: ‖g‖ over every parameter at once
 *   g_i ← max(−v, min(v, g_i))     by value
 */
import type { FloatArray } from '../tensor/types.js';

/** ‖g‖₂ over the whole flat gradient buffer. */
export function globalNorm(grads: FloatArray): number {
  let s = 0;
  for (let i = 0; i < grads.length; i++) s += grads[i]! * grads[i]!;
  return Math.sqrt(s);
}

/** Scale grads so that ‖g‖ ≤ θ; returns ‖g‖ before clipping (as torch.nn.utils.clip_grad_norm_). */
export function clipByGlobalNorm(grads: FloatArray, theta: number): number {
  const norm = globalNorm(grads);
  if (norm > theta) {
    const scale = theta / norm;
    for (let i = 0; i < grads.length; i++) grads[i]! *= scale;
  }
  return norm;
}

/** Clamp every gradient to [−v, v], in place. */
export function clipByValue(grads: FloatArray, v: number): void {
  for (let i = 0; i < grads.length; i++) grads[i] = Math.max(-v, Math.min(v, grads[i]!));
}

/** The first non-finite gradient: its index, or −1 when all are finite. */
export function firstNonFinite(a: FloatArray): number {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i]!)) return i;
  return -1;
}
