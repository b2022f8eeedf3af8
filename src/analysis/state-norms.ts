/**
 * @module analysis/state-norms
 * How large the state grows: ‖h_t‖ at every step of a recurrent stack's forward pass (top layer,
 * forward direction, over batch and units). A tanh RNN's state stays inside [−1, 1]^H, so
 * ‖h_t‖ ≤ √(B·H); a residual cell's h_t = h_{t−1} + g(·) adds up every g and has no such bound.
 */
import type { RecurrentStack } from '../layers/recurrent.js';
import type { FlowInput } from './gradient-flow.js';

/** ‖h_t‖₂ over batch and units for t = 0…T−1 (top layer, forward direction). */
export function stateNorms(stack: RecurrentStack, input: FlowInput): number[] {
  const { T, B } = input;
  const H = stack.config.hiddenSize;
  const DH = (stack.config.bidirectional ? 2 : 1) * H;
  const y = stack.forward(input.x, T, B, { h0: input.h0, c0: input.c0 }).y; // (T,B,D·H)
  const out: number[] = [];
  for (let t = 0; t < T; t++) {
    let s = 0;
    for (let b = 0; b < B; b++) {
      const o = (t * B + b) * DH;
      for (let j = 0; j < H; j++) s += y[o + j]! * y[o + j]!;
    }
    out.push(Math.sqrt(s));
  }
  return out;
}
