/**
 * @module train/schedule
 * The learning rate at each step: constant, cosine decay to `minLr`, or step decay (×gamma every
 * `stepEvery` steps), each after an optional linear warm-up (nanoGPT's order).
 */
export type ScheduleKind = 'constant' | 'cosine' | 'step';

export interface Schedule {
  kind: ScheduleKind;
  lr: number;
  warmup: number;     // steps of linear warm-up from 0
  total: number;      // steps over which cosine decays (known from epochs × batches)
  minLr: number;      // cosine floor
  gamma: number;      // step decay factor
  stepEvery: number;  // step decay period in steps
}

export function learningRate(s: Schedule, step: number): number {
  // 1) linear warm-up
  if (step < s.warmup) return (s.lr * (step + 1)) / s.warmup;
  const t = step - s.warmup;
  switch (s.kind) {
    case 'constant': return s.lr;
    // 2) step decay: lr · γ^⌊t / period⌋
    case 'step': return s.lr * s.gamma ** Math.floor(t / Math.max(1, s.stepEvery));
    // 3) cosine from lr down to minLr over the remaining steps
    case 'cosine': {
      const span = Math.max(1, s.total - s.warmup);
      const ratio = Math.min(1, t / span);
      return s.minLr + 0.5 * (s.lr - s.minLr) * (1 + Math.cos(Math.PI * ratio));
    }
  }
}
