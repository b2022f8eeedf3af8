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
import { batchesPerEpoch, epochBatches, type Sampling } from '../data/batches.js';
import type { Kernels } from '../kernels/types.js';
import { parameterNorms } from '../analysis/param-norms.js';
import { clipByGlobalNorm, clipByValue, firstNonFinite, globalNorm } from '../train/clip.js';
import { Optimizer, optimizerConfig, type OptimizerKind } from '../train/optim.js';
import { learningRate, type ScheduleKind } from '../train/schedule.js';
import { yieldToEventLoop } from '../train/yield.js';
import { Rng } from '../tensor/rng.js';
import type { Vocab } from '../data/text.js';
import { evaluatePerplexity } from './evaluate.js';
import type { LanguageModel, LmState } from './language-model.js';
import { lmConfigJson, lmTensors, TRAIN_KEY, CONFIG_KEY } from './lm-file.js';

/**
 * How LmTrainer trains: minibatches (B rows of T steps), optimizer and learning-rate schedule,
 * clipping, epochs and early stopping, and the seed. DEFAULT_TRAIN holds the defaults.
 */
export interface TrainOptions {
  batch: number;          // B rows per minibatch
  steps: number;          // T, the truncation length
  sampling: Sampling;     // 'sequential' carries state across minibatches; 'random' resets it
  optimizer: OptimizerKind; // 'adam' by default
  lr: number;             // the base learning rate (the schedule scales it)
  momentum: number;       // sgd
  weightDecay: number | undefined; // undefined: the optimizer's default
  clip: number;           // global-norm threshold θ; 0 = off
  clipValue: number;      // element threshold; 0 = off
  schedule: ScheduleKind; // of the learning rate: 'constant', 'cosine' or 'step'
  warmup: number;         // steps
  minLr: number;          // cosine floor
  gamma: number;          // step decay factor
  stepEvery: number;      // step decay period (steps)
  epochs: number;         // passes over the training tokens
  patience: number;       // early stopping: epochs without a better validation perplexity; 0 = off
  onNonFinite: 'stop' | 'skip'; // a non-finite loss or gradient: end the run, or skip that step
  seed: number;           // of the data order (the model has its own Rng)
}

/** The default TrainOptions (Adam at 0.005, B 32, T 35, clip 1, 20 epochs). */
export const DEFAULT_TRAIN: TrainOptions = {
  batch: 32, steps: 35, sampling: 'sequential', optimizer: 'adam', lr: 0.005, momentum: 0,
  weightDecay: undefined, clip: 1, clipValue: 0, schedule: 'constant', warmup: 0, minLr: 0, gamma: 0.5,
  stepEvery: 1000, epochs: 20, patience: 0, onNonFinite: 'stop', seed: 0,
};

/** Where a run is: saved in `recur.train` so that `--resume` continues exactly. */
export interface TrainState {
  step: number;                // optimizer steps taken
  epoch: number;               // epochs done
  batch: number;               // minibatches done in this epoch
  dataRng: number[];           // the data Rng at the start of this epoch (offset, shuffle)
  modelRng: number[];          // the model's Rng (dropout) now
  epochLoss: number;           // Σ loss·count over this epoch so far
  epochTokens: number;         // tokens predicted this epoch so far
  bestVal: number | null;      // best validation perplexity
  badEpochs: number;           // epochs since it improved
  options: TrainOptions;       // the options the run started with
}

/**
 * What LmTrainer reports after each step: loss and perplexity, gradient norms, learning rate and
 * throughput.
 */
export interface StepReport {
  epoch: number;           // 1-based
  step: number;            // optimizer steps taken, this one included
  batch: number;           // minibatches done in this epoch
  batches: number;         // minibatches in this epoch
  loss: number;            // mean cross-entropy of this minibatch, nats per token
  trainPerplexity: number; // exp of the mean loss over this epoch so far
  gradNorm: number;        // global ‖∂L/∂θ‖₂ before clipping
  gradNormClipped: number; // after clipping
  lr: number;              // the learning rate of this step
  tokensPerSecond: number; // training throughput of this step
  skipped: boolean;        // a non-finite step that onNonFinite: 'skip' left out
  /** ‖∂L/∂θ‖ of every parameter tensor before clipping, when the hooks ask for them. */
  paramGradNorms: Record<string, number> | undefined;
}

/**
 * What LmTrainer reports after each epoch: training and validation perplexity and the time it took.
 */
export interface EpochReport {
  epoch: number;                // 1-based: the epoch just done
  step: number;                 // optimizer steps taken so far
  trainPerplexity: number;      // over the epoch's minibatches
  valPerplexity: number | null; // on the validation tokens; null without them
  seconds: number;              // the epoch's wall time
}

/** Callbacks of LmTrainer.run: progress reports, when to stop, when to checkpoint, and a clock. */
export interface TrainHooks {
  /** Called after every step. */
  onStep?(r: StepReport): void;
  /** Called after every epoch. */
  onEpoch?(r: EpochReport): void;
  /** Asked after every step: true ends the run (time limit, Ctrl-C) after saving. */
  shouldStop?(): boolean;
  /** Every `checkpointEvery` steps and at the end. */
  onCheckpoint?(reason: 'interval' | 'end' | 'stop'): void;
  checkpointEvery?: number; // steps between onCheckpoint calls (default: only at the end)
  /** Report each parameter's gradient norm in every StepReport (costs one pass over the gradients). */
  paramGradNorms?: boolean;
  /** The clock for tokens/s, in milliseconds (default performance.now). */
  now?(): number; // milliseconds, for tokens/s
}

/**
 * Trains a LanguageModel on a token sequence with truncated BPTT: minibatches, optimizer, schedule,
 * clipping, validation and early stopping, and a state a checkpoint can save to resume exactly.
 */
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
      epochLoss: 0, epochTokens: 0, bestVal: null, badEpochs: 0, options,
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

  /** At least how many minibatches an epoch has (random sampling varies it by one). */
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
    const schedule = { kind: o.schedule, lr: o.lr, warmup: o.warmup, total: o.epochs * this.batchesPerEpoch,
                       minLr: o.minLr, gamma: o.gamma, stepEvery: o.stepEvery };
    let tick = now();
    let yielded = tick;
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
        let bad = Number.isFinite(value.loss) ? -1 : -2;
        if (bad === -1) { this.model.backward(); bad = firstNonFinite(params.grad); }
        const gradNorm = bad === -1 ? globalNorm(params.grad) : NaN;
        const paramGradNorms = hooks.paramGradNorms ? parameterNorms(params) : undefined;
        if (bad !== -1) {
          const where = bad === -2 ? 'the loss' : `the gradient of ${params.list.find((p) => bad >= p.offset && bad < p.offset + p.size)!.name}`;
          if (o.onNonFinite === 'stop') {
            // nothing is saved: the last checkpoint written stays the last good one
            throw new RecurError(`training stopped at step ${this.state.step + 1} (epoch ${this.state.epoch + 1}): ${where} is not finite (loss ${value.loss}); the last good checkpoint is kept. Lower --lr, use --clip, or pass --on-nan skip`);
          }
        } else {
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
          loss: value.loss, trainPerplexity: Math.exp(this.state.epochLoss / Math.max(1, this.state.epochTokens)),
          gradNorm, gradNormClipped: o.clip > 0 ? Math.min(gradNorm, o.clip) : gradNorm, lr,
          tokensPerSecond: (o.steps * o.batch * 1000) / Math.max(1e-3, t - tick), skipped: bad !== -1, paramGradNorms,
        });
        tick = t;
        if (hooks.checkpointEvery && this.state.step % hooks.checkpointEvery === 0) hooks.onCheckpoint?.('interval');
        if (now() - yielded > 50) {
          const before = now();
          await yieldToEventLoop();
          tick += now() - before; // the pause is not training time
          yielded = now();
        }
        if (hooks.shouldStop?.()) { hooks.onCheckpoint?.('stop'); return 'stopped'; }
      }
      // end of epoch: validation, early stopping, and the next epoch's data Rng
      const trainPerplexity = Math.exp(this.state.epochLoss / Math.max(1, this.state.epochTokens));
      const valPerplexity = this.val ? evaluatePerplexity(this.model, this.val, { steps: o.steps, rows: o.batch }).perplexity : null;
      this.state.epoch++;
      this.state.batch = 0;
      this.state.epochLoss = 0;
      this.state.epochTokens = 0;
      this.state.dataRng = this.dataRng.getState();
      this.carried.h.fill(0);
      this.carried.c?.fill(0);
      hooks.onEpoch?.({ epoch: this.state.epoch, step: this.state.step, trainPerplexity, valPerplexity, seconds: (now() - epochStart) / 1000 });
      if (valPerplexity !== null && o.patience > 0) {
        if (this.state.bestVal === null || valPerplexity < this.state.bestVal) { this.state.bestVal = valPerplexity; this.state.badEpochs = 0; }
        else if (++this.state.badEpochs >= o.patience) { hooks.onCheckpoint?.('end'); return 'early'; }
      }
      if (hooks.shouldStop?.()) { hooks.onCheckpoint?.('stop'); return 'stopped'; }
    }
    hooks.onCheckpoint?.('end');
    return 'done';
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
