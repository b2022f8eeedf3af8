/**
 * @module train/optim
 * Optimizers as PyTorch defines them (torch.optim), each one flat loop over the model's parameter
 * buffer. Their state mirrors the buffer and is saved in checkpoints under PyTorch's state names
 * (`momentum_buffer`, `exp_avg`, `exp_avg_sq`, `sum`, `square_avg`), so a resumed run continues
 * exactly.
 */
import { RecurError } from '../errors.js';
import type { Kernels } from '../kernels/types.js';
import type { FloatArray } from '../tensor/types.js';

/** The optimizers, as PyTorch's torch.optim.SGD, Adam, AdamW, Adagrad and RMSprop. */
export type OptimizerKind = 'sgd' | 'adam' | 'adamw' | 'adagrad' | 'rmsprop';
/** Every OptimizerKind, for option parsing. */
export const OPTIMIZERS: readonly OptimizerKind[] = ['sgd', 'adam', 'adamw', 'adagrad', 'rmsprop'];

/** An optimizer's hyperparameters, with PyTorch's defaults (build one with optimizerConfig). */
export interface OptimizerConfig {
  kind: OptimizerKind;
  momentum: number;    // sgd; default 0
  weightDecay: number; // L2 for sgd/adam/adagrad/rmsprop, decoupled for adamw (default 0.01 there, else 0)
  beta1: number;       // adam/adamw, default 0.9
  beta2: number;       // adam/adamw, default 0.999
  alpha: number;       // rmsprop smoothing, default 0.99
  eps: number;         // default 1e-8 (adagrad 1e-10)
}

/** The config of optimizer `kind` with PyTorch's defaults, overridden by `over`. */
export function optimizerConfig(kind: OptimizerKind, over: Partial<OptimizerConfig> = {}): OptimizerConfig {
  return {
    kind, momentum: 0, weightDecay: kind === 'adamw' ? 0.01 : 0, beta1: 0.9, beta2: 0.999, alpha: 0.99,
    eps: kind === 'adagrad' ? 1e-10 : 1e-8, ...over,
  };
}

/** The state buffers each optimizer keeps, by PyTorch's names. */
const STATE_NAMES: Record<OptimizerKind, readonly string[]> = {
  sgd: ['momentum_buffer'], adam: ['exp_avg', 'exp_avg_sq'], adamw: ['exp_avg', 'exp_avg_sq'],
  adagrad: ['sum'], rmsprop: ['square_avg'],
};

/**
 * An optimizer over one flat parameter buffer (ParamSet.data): its state (moments) lives in arrays
 * from the kernels, named as PyTorch's state dict.
 */
export class Optimizer {
  readonly config: OptimizerConfig;
  /** Steps taken (Adam's bias correction uses it). */
  step = 0;
  readonly state: ReadonlyMap<string, FloatArray>; // moments by PyTorch's state name, each as long as the parameters

  constructor(config: OptimizerConfig, k: Kernels, size: number) {
    this.config = config;
    const names = config.kind === 'sgd' && config.momentum === 0 ? [] : STATE_NAMES[config.kind];
    this.state = new Map(names.map((n) => [n, k.alloc(size)]));
  }

  /** One update of params from grads with learning rate lr. */
  update(params: FloatArray, grads: FloatArray, lr: number): void {
    const c = this.config;
    this.step++;
    const n = params.length;
    const wd = c.weightDecay;
    switch (c.kind) {
      case 'sgd': {
        // g ← g + λθ;  b ← μ b + g (b = g at the first step);  θ ← θ − η b
        const buf = this.state.get('momentum_buffer');
        for (let i = 0; i < n; i++) {
          let g = grads[i]! + wd * params[i]!;
          if (buf) g = buf[i] = this.step === 1 ? g : c.momentum * buf[i]! + g;
          params[i]! -= lr * g;
        }
        return;
      }
      case 'adam':
      case 'adamw': {
        // m ← β1 m + (1−β1) g;  v ← β2 v + (1−β2) g²;  θ ← θ − η m̂ / (√v̂ + ε)
        const m = this.state.get('exp_avg')!, v = this.state.get('exp_avg_sq')!;
        const bc1 = 1 - c.beta1 ** this.step, bc2 = 1 - c.beta2 ** this.step;
        const stepSize = lr / bc1, sqrtBc2 = Math.sqrt(bc2);
        const decoupled = c.kind === 'adamw';
        for (let i = 0; i < n; i++) {
          if (decoupled) params[i]! *= 1 - lr * wd;                      // AdamW: θ ← θ − ηλθ
          const g = grads[i]! + (decoupled ? 0 : wd * params[i]!);
          const mi = (m[i] = c.beta1 * m[i]! + (1 - c.beta1) * g);
          const vi = (v[i] = c.beta2 * v[i]! + (1 - c.beta2) * g * g);
          params[i]! -= (stepSize * mi) / (Math.sqrt(vi) / sqrtBc2 + c.eps);
        }
        return;
      }
      case 'adagrad': {
        // s ← s + g²;  θ ← θ − η g / (√s + ε)
        const s = this.state.get('sum')!;
        for (let i = 0; i < n; i++) {
          const g = grads[i]! + wd * params[i]!;
          const si = (s[i] = s[i]! + g * g);
          params[i]! -= (lr * g) / (Math.sqrt(si) + c.eps);
        }
        return;
      }
      case 'rmsprop': {
        // v ← α v + (1−α) g²;  θ ← θ − η g / (√v + ε)
        const v = this.state.get('square_avg')!;
        for (let i = 0; i < n; i++) {
          const g = grads[i]! + wd * params[i]!;
          const vi = (v[i] = c.alpha * v[i]! + (1 - c.alpha) * g * g);
          params[i]! -= (lr * g) / (Math.sqrt(vi) + c.eps);
        }
        return;
      }
    }
  }

  /** Restore state saved by a checkpoint (every buffer this optimizer keeps must be present). */
  load(state: ReadonlyMap<string, ArrayLike<number>>, step: number, what: string): void {
    for (const [name, buf] of this.state) {
      const saved = state.get(name);
      if (!saved) throw new RecurError(`${what}: missing optimizer state "${name}" for ${this.config.kind}`);
      if (saved.length !== buf.length) throw new RecurError(`${what}: optimizer state "${name}": expected ${buf.length} values, got ${saved.length}`);
      for (let i = 0; i < buf.length; i++) buf[i] = saved[i]!;
    }
    this.step = step;
  }
}
