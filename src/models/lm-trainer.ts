/**
 * @module models/lm-trainer
 * Training a language model by truncated BPTT with teacher forcing, in nanoGPT's order:
 * learning rate → forward and loss → backward → check → clip → step → log → stop?
 *
 * Each minibatch is T steps of B rows (data/batches). With sequential partitioning the final state
 * of one minibatch is the initial state of the next, copied (detached) so gradients stop at the
 * minibatch boundary: that is the truncation. With random sampling every minibatch starts at zero.
 *
 * Everything a run depends on is in `TrainState` and the checkpoint's tensors, so a resumed run
 * continues exactly: its losses equal an uninterrupted run's. No fs, no process: the caller saves.
 */
import { RecurError } from '../errors.js';
import type { TensorToWrite } from '../format/safetensors.js';
import { batchesPerEpoch, epochBatches } from '../data/batches.js';
import type { Kernels } from '../kernels/types.js';
import { parameterNorms } from '../analysis/param-norms.js';
import { clipByGlobalNorm, clipByValue, globalNorm } from '../train/clip.js';
import { checkStep, crossEntropyLimit, type Divergence } from '../train/guard.js';
import { Optimizer, optimizerConfig } from '../train/optim.js';
import { learningRate } from '../train/schedule.js';
import { yieldToEventLoop } from '../train/yield.js';
import { Rng } from '../tensor/rng.js';
import type { Vocab } from '../data/text.js';
import { evaluatePerplexity } from './evaluate.js';
import type { LanguageModel, LmState } from './language-model.js';
import { lmConfigJson, lmTensors, TRAIN_KEY, CONFIG_KEY } from './lm-file.js';
import type { TrainOptions, TrainState } from './train-state.js';

export type { TrainOptions, TrainState } from './train-state.js';

export const DEFAULT_TRAIN: TrainOptions = {
  batch: 32, steps: 35, sampling: 'sequential', optimizer: 'adam', lr: 0.005, momentum: 0,
  weightDecay: undefined, clip: 1, clipValue: 0, schedule: 'constant', warmup: 0, minLr: 0, gamma: 0.5,
  stepEvery: 1000, epochs: 20, patience: 0, onNonFinite: 'stop', seed: 0,
};

export interface StepReport {
  epoch: number; step: number; batch: number; batches: number;
  loss: number; trainPerplexity: number; gradNorm: number; gradNormClipped: number; lr: number;
  tokensPerSecond: number; skipped: boolean;
  /** ‖∂L/∂θ‖ of every parameter tensor before clipping, when the hooks ask for them. */
  paramGradNorms: Record<string, number> | undefined;
}

export interface EpochReport {
  epoch: number; step: number; trainPerplexity: number; valPerplexity: number | null; seconds: number;
  /** The validation perplexity is the lowest so far (the CLI saves best.safetensors then). */
  improved: boolean;
  /** Steps of this epoch skipped by --on-nan skip. */
  skipped: number;
}

const STOP_ADVICE = 'Lower --lr, use --clip, or pass --on-nan skip';

/** A run stopped by train/guard's rule: the loss exploded or a value is not finite, or (with
 *  --on-nan skip) more than half the steps of an epoch had to be skipped. Nothing is saved after
 *  the step before it (see TrainHooks.onCheckpoint). */
export class DivergedError extends RecurError {
  /** The step (1-based) and epoch at which it diverged, why, and what to try (`advice`). */
  constructor(readonly step: number, readonly epoch: number, readonly reason: string, readonly advice: string) {
    super(`training diverged at step ${step} (epoch ${epoch}): ${reason}. ${advice}`);
  }
}

export interface TrainHooks {
  onStep?(r: StepReport): void;
  onEpoch?(r: EpochReport): void;
  /** Asked after every step: true ends the run (time limit, Ctrl-C) after saving. */
  shouldStop?(): boolean;
  /** Every `checkpointEvery` steps, at a stop and at the end. An interval checkpoint is written
   *  once the model it holds has been checked: when the next step's loss and gradients (or the
   *  epoch's validation loss) pass train/guard, just before that step's update; so a run that
   *  diverges never leaves the diverged model as its last checkpoint. */
  onCheckpoint?(reason: 'interval' | 'end' | 'stop'): void;
  checkpointEvery?: number;
  /** Report each parameter's gradient norm in every StepReport (costs one pass over the gradients). */
  paramGradNorms?: boolean;
  now?(): number; // milliseconds, for tokens/s
}

export class LmTrainer {
  readonly model: LanguageModel;
  readonly vocab: Vocab;
  readonly options: TrainOptions;
  readonly optimizer: Optimizer;
  state: TrainState;
  private readonly train: Int32Array;
  private readonly val: Int32Array | undefined;
  private readonly dataRng: Rng;
  private readonly carried: LmState;

  constructor(model: LanguageModel, vocab: Vocab, k: Kernels, train: Int32Array, val: Int32Array | undefined,
              options: TrainOptions) {
    this.model = model;
    this.vocab = vocab;
    this.options = options;
    this.train = train;
    this.val = val && val.length >= 2 ? val : undefined;
    this.optimizer = new Optimizer(optimizerConfig(options.optimizer, {
      momentum: options.momentum, ...(options.weightDecay === undefined ? {} : { weightDecay: options.weightDecay }),
    }), k, model.params.data.length);
    this.dataRng = new Rng(options.seed);
    this.carried = model.zeroState(options.batch);
    batchesPerEpoch(train.length, options.batch, options.steps, options.sampling); // validates sizes early
    this.state = {
      step: 0, epoch: 0, batch: 0, dataRng: this.dataRng.getState(), modelRng: model.rng.getState(),
      epochLoss: 0, epochTokens: 0, bestVal: null, bestEpoch: null, badEpochs: 0, epochSkipped: 0, skipped: 0, options,
    };
  }

  /** Continue from a checkpoint's training state and its optim.* / train.* tensors. */
  resume(saved: TrainState, extra: Map<string, ArrayLike<number>>, what: string): void {
    this.state = { ...saved, options: this.options };
    this.dataRng.setState(saved.dataRng);
    this.model.rng.setState(saved.modelRng);
    const state = new Map<string, Float64Array>();
    for (const name of this.optimizer.state.keys()) {
      const flat = new Float64Array(this.model.params.data.length);
      for (const p of this.model.params.list) {
        const t = extra.get(`optim.${name}.${p.name}`);
        if (!t) throw new RecurError(`${what}: missing optimizer state "optim.${name}.${p.name}" to resume ${this.options.optimizer}`);
        flat.set(Array.from(t), p.offset);
      }
      state.set(name, flat);
    }
    this.optimizer.load(state, saved.step, what);
    for (const [key, buf] of [['train.h', this.carried.h], ['train.c', this.carried.c]] as const) {
      const t = extra.get(key);
      if (buf && t) {
        if (t.length !== buf.length) throw new RecurError(`${what}: "${key}" has ${t.length} values, expected ${buf.length}`);
        buf.set(Array.from(t));
      }
    }
  }

  get batchesPerEpoch(): number {
    return batchesPerEpoch(this.train.length, this.options.batch, this.options.steps, this.options.sampling);
  }

  /** Run until the epochs are done, early stopping, or hooks.shouldStop(). It yields to the event
   *  loop every ~50 ms, so that a signal handler (Ctrl-C), a timer or a browser message can run and
   *  ask it to stop. */
  async run(hooks: TrainHooks = {}): Promise<'done' | 'stopped' | 'early'> {
    const o = this.options;
    const now = hooks.now ?? (() => Date.now());
    const params = this.model.params;
    const limit = crossEntropyLimit(this.vocab.size);
    const schedule = { kind: o.schedule, lr: o.lr, warmup: o.warmup, total: o.epochs * this.batchesPerEpoch,
                       minLr: o.minLr, gamma: o.gamma, stepEvery: o.stepEvery };
    let tick = now();
    let yielded = tick;
    let pending = false; // an interval checkpoint waits for the next check of its model
    const flush = () => { if (pending) { pending = false; hooks.onCheckpoint?.('interval'); } };
    while (this.state.epoch < o.epochs) {
      const epochStart = now();
      this.dataRng.setState(this.state.dataRng);
      if (this.state.batch === 0 && this.state.step > 0) this.carried.h.fill(0), this.carried.c?.fill(0);
      let i = 0;
      for (const mb of epochBatches(this.train, o.batch, o.steps, o.sampling, this.dataRng)) {
        if (i++ < this.state.batch) continue; // resuming mid-epoch: these were done
        const lr = learningRate(schedule, this.state.step);
        params.zeroGrad();
        const value = this.model.loss(mb.inputs, mb.targets, o.steps, o.batch, {
          state: o.sampling === 'sequential' ? this.carried : undefined, training: true,
        });
        let bad: Divergence | null = checkStep(value.loss, undefined, limit);
        if (!bad) { this.model.backward(); bad = checkStep(value.loss, params.grad, limit); }
        const gradNorm = bad ? NaN : globalNorm(params.grad);
        const paramGradNorms = hooks.paramGradNorms ? parameterNorms(params) : undefined;
        if (bad) {
          if (o.onNonFinite === 'stop') throw new DivergedError(this.state.step + 1, this.state.epoch + 1, this.describe(bad), STOP_ADVICE);
          this.state.skipped++;
          this.state.epochSkipped++;
        } else {
          flush(); // the model of the last interval gave a healthy step: save it before updating
          if (o.clip > 0) clipByGlobalNorm(params.grad, o.clip);
          if (o.clipValue > 0) clipByValue(params.grad, o.clipValue);
          this.optimizer.update(params.data, params.grad, lr);
          if (o.sampling === 'sequential') this.model.carryState(this.carried);
          this.state.epochLoss += value.loss * value.count;
          this.state.epochTokens += value.count;
        }
        this.state.step++;
        this.state.batch++;
        this.state.modelRng = this.model.rng.getState();
        const t = now();
        hooks.onStep?.({
          epoch: this.state.epoch + 1, step: this.state.step, batch: this.state.batch, batches: this.batchesPerEpoch,
          loss: value.loss, trainPerplexity: this.trainPerplexity(), gradNorm, gradNormClipped: o.clip > 0 ? Math.min(gradNorm, o.clip) : gradNorm, lr,
          tokensPerSecond: (o.steps * o.batch * 1000) / Math.max(1e-3, t - tick), skipped: bad !== null, paramGradNorms,
        });
        tick = t;
        if (hooks.checkpointEvery && this.state.step % hooks.checkpointEvery === 0) pending = true;
        if (now() - yielded > 50) {
          const before = now();
          await yieldToEventLoop();
          tick += now() - before; // the pause is not training time
          yielded = now();
        }
        if (hooks.shouldStop?.()) { hooks.onCheckpoint?.('stop'); return 'stopped'; }
      }
      if (this.endEpoch(hooks, epochStart, now, limit)) { hooks.onCheckpoint?.('end'); return 'early'; }
      flush(); // the validation loss checked the model
      if (hooks.shouldStop?.()) { hooks.onCheckpoint?.('stop'); return 'stopped'; }
    }
    hooks.onCheckpoint?.('end');
    return 'done';
  }

  /** End of an epoch: skipped steps, validation (checked by train/guard), the best model, early
   *  stopping, and the next epoch's data Rng. True when early stopping ends the run. */
  private endEpoch(hooks: TrainHooks, epochStart: number, now: () => number, limit: number): boolean {
    const o = this.options;
    const batches = this.batchesPerEpoch;
    const skipped = this.state.epochSkipped;
    if (2 * skipped > batches) {
      throw new DivergedError(this.state.step, this.state.epoch + 1, `${skipped} of the epoch's ${batches} steps were skipped ` +
        '(loss or gradients not finite or exploded), so nothing reliable was learned', 'Lower --lr or use --clip');
    }
    const trainPerplexity = this.trainPerplexity();
    const val = this.val ? evaluatePerplexity(this.model, this.val, { steps: o.steps, rows: o.batch }) : null;
    if (val) {
      const bad = checkStep(val.loss, undefined, limit);
      if (bad) throw new DivergedError(this.state.step, this.state.epoch + 1, `on the validation part, ${bad.reason}`, STOP_ADVICE);
    }
    const valPerplexity = val ? val.perplexity : null;
    this.state.epoch++;
    this.state.batch = 0;
    this.state.epochLoss = 0;
    this.state.epochTokens = 0;
    this.state.epochSkipped = 0;
    this.state.dataRng = this.dataRng.getState();
    this.carried.h.fill(0);
    this.carried.c?.fill(0);
    const improved = valPerplexity !== null && (this.state.bestVal === null || valPerplexity < this.state.bestVal);
    if (improved) { this.state.bestVal = valPerplexity; this.state.bestEpoch = this.state.epoch; this.state.badEpochs = 0; }
    else if (valPerplexity !== null) this.state.badEpochs++;
    hooks.onEpoch?.({ epoch: this.state.epoch, step: this.state.step, trainPerplexity, valPerplexity, seconds: (now() - epochStart) / 1000,
                      improved, skipped });
    return valPerplexity !== null && o.patience > 0 && this.state.badEpochs >= o.patience;
  }

  /** exp(mean loss) over this epoch's healthy steps so far; NaN before the first one. */
  private trainPerplexity(): number {
    return this.state.epochTokens > 0 ? Math.exp(this.state.epochLoss / this.state.epochTokens) : NaN;
  }

  /** A divergence in words, naming the parameter whose gradient is not finite. */
  private describe(d: Divergence): string {
    if (d.what === 'loss') return d.reason;
    const p = this.model.params.list.find((q) => d.index >= q.offset && d.index < q.offset + q.size);
    return `the gradient of ${p?.name ?? 'a parameter'} is not finite`;
  }

  /** Everything to write: the model, the optimizer's state, the carried state, and `recur.train`. */
  checkpoint(): { tensors: TensorToWrite[]; metadata: Record<string, string> } {
    const extra: TensorToWrite[] = [];
    for (const [name, buf] of this.optimizer.state) {
      for (const p of this.model.params.list) {
        extra.push({ name: `optim.${name}.${p.name}`, shape: p.shape, data: buf.subarray(p.offset, p.offset + p.size), dtype: 'F32' });
      }
    }
    const L = this.model.config.rnn.numLayers * (this.model.config.rnn.bidirectional ? 2 : 1);
    const shape = [L, this.options.batch, this.model.config.rnn.hiddenSize];
    extra.push({ name: 'train.h', shape, data: this.carried.h, dtype: 'F32' });
    if (this.carried.c) extra.push({ name: 'train.c', shape, data: this.carried.c, dtype: 'F32' });
    return {
      tensors: lmTensors(this.model, extra),
      metadata: { [CONFIG_KEY]: lmConfigJson(this.model, this.vocab), [TRAIN_KEY]: JSON.stringify(this.state) },
    };
  }
}
