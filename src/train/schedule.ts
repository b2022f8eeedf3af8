/**
 * @module train/schedule
 * The learning rate at each step: constant, cosine decay to `minLr`, or step decay (×gamma every
 * `stepEvery` steps), each after an optional linear warm-up (nanoGPT's order).
 */
/**
 * Learning-rate schedules: constant, cosine decay to minLr, or step decay by gamma every stepEvery
 * steps.
 */
export type ScheduleKind = 'constant' | 'cosine' | 'step';

/**
 * A learning-rate schedule: its kind, base rate, warm-up and decay parameters, in optimizer steps.
 */
export interface Schedule {
  kind: ScheduleKind;
  lr: number;         // the base rate
  warmup: number;     // steps of linear warm-up from 0
  total: number;      // steps over which cosine decays (known from epochs × batches)
  minLr: number;      // cosine floor
  gamma: number;      // step decay factor
  stepEvery: number;  // step decay period in steps
}

/** The learning rate at `step` (0-based): linear warm-up over `warmup` steps, then the schedule. */
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
