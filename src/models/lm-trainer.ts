/**
 * @module models/lm-trainer
 * Training a language model by truncated BPTT with teacher forcing, through the one training loop
 * (train/loop: learning rate → forward and loss → backward → check → clip → step → log → stop?).
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
import { batchesPerEpoch, epochBatches, type Minibatch } from '../data/batches.js';
import type { Kernels } from '../kernels/types.js';
import { parameterNorms } from '../analysis/param-norms.js';
import { checkStep, crossEntropyLimit, DivergedError } from '../train/guard.js';
import { initialLoopState, trainLoop, type LoopState, type TrainTask } from '../train/loop.js';
import { Optimizer, optimizerConfig } from '../train/optim.js';
import { Rng } from '../tensor/rng.js';
import type { Vocab } from '../data/text.js';
import { evaluatePerplexity } from './evaluate.js';
import type { LanguageModel, LmState } from './language-model.js';
import { lmConfigJson, lmTensors, TRAIN_KEY, CONFIG_KEY } from './lm-file.js';
import type { TrainOptions, TrainState } from './train-state.js';

export type { TrainOptions, TrainState } from './train-state.js';

/** The default TrainOptions (Adam at 0.005, B 32, T 35, clip 1, 20 epochs). */
export const DEFAULT_TRAIN: TrainOptions = {
  batch: 32, steps: 35, sampling: 'sequential', optimizer: 'adam', lr: 0.005, momentum: 0,
  weightDecay: undefined, clip: 1, clipValue: 0, schedule: 'constant', warmup: 0, minLr: 0, gamma: 0.5,
  stepEvery: 1000, epochs: 20, patience: 0, onNonFinite: 'stop', seed: 0,
};

/** What LmTrainer reports after each step: loss and perplexity, gradient norms, learning rate and
 *  throughput. */
export interface StepReport {
  epoch: number; step: number; batch: number; batches: number;
  loss: number; trainPerplexity: number; gradNorm: number; gradNormClipped: number; lr: number;
  tokensPerSecond: number; skipped: boolean;
  /** ‖∂L/∂θ‖ of every parameter tensor before clipping, when the hooks ask for them. */
  paramGradNorms: Record<string, number> | undefined;
}

/** What LmTrainer reports after each epoch: training and validation perplexity and the time it took. */
export interface EpochReport {
  epoch: number; step: number; trainPerplexity: number; valPerplexity: number | null; seconds: number;
  /** The validation perplexity is the lowest so far (the CLI saves best.safetensors then). */
  improved: boolean;
  /** Steps of this epoch skipped by --on-nan skip. */
  skipped: number;
}

const STOP_ADVICE = 'Lower --lr, use --clip, or pass --on-nan skip';

export { DivergedError } from '../train/guard.js';

/** Callbacks of LmTrainer.run: progress reports, when to stop, when to checkpoint, and a clock. */
export interface TrainHooks {
  /** Called after every step. */
  onStep?(r: StepReport): void;
  /** Called after every epoch. */
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
  private readonly kernels: Kernels;
  private readonly train: Int32Array;
  private readonly val: Int32Array | undefined;
  private readonly dataRng: Rng;
  private dataRngAtEpoch: number[];   // the data Rng at the start of the current epoch
  private readonly carried: LmState;
  private loop: LoopState = initialLoopState();
  private modelRngAfterStep: number[];  // the model's Rng (dropout) after the last step

  constructor(model: LanguageModel, vocab: Vocab, k: Kernels, train: Int32Array, val: Int32Array | undefined,
              options: TrainOptions) {
    this.model = model;
    this.vocab = vocab;
    this.options = options;
    this.kernels = k;
    this.train = train;
    this.val = val && val.length >= 2 ? val : undefined;
    this.optimizer = new Optimizer(optimizerConfig(options.optimizer, {
      momentum: options.momentum, ...(options.weightDecay === undefined ? {} : { weightDecay: options.weightDecay }),
    }), k, model.params.data.length);
    this.dataRng = new Rng(options.seed);
    this.dataRngAtEpoch = this.dataRng.getState();
    this.carried = model.zeroState(options.batch);
    this.modelRngAfterStep = model.rng.getState();
    batchesPerEpoch(train.length, options.batch, options.steps, options.sampling); // validates sizes early
  }

  /** Where the run is (what `recur.train` saves). */
  get state(): TrainState {
    const l = this.loop;
    return {
      step: l.step, epoch: l.epoch, batch: l.batch, dataRng: this.dataRngAtEpoch, modelRng: this.modelRngAfterStep,
      epochLoss: l.epochLoss, epochTokens: l.epochCount, bestVal: l.best, bestEpoch: l.best === null ? null : l.bestEpoch,
      badEpochs: l.bad, epochSkipped: l.epochSkipped, skipped: l.skipped, options: this.options,
    };
  }

  /** Continue from a checkpoint's training state and its optim.* / train.* tensors. */
  resume(saved: TrainState, extra: Map<string, ArrayLike<number>>, what: string): void {
    this.loop = {
      step: saved.step, epoch: saved.epoch, batch: saved.batch, epochLoss: saved.epochLoss, epochCount: saved.epochTokens,
      epochSkipped: saved.epochSkipped, best: saved.bestVal, bestEpoch: saved.bestEpoch ?? 0, bad: saved.badEpochs, skipped: saved.skipped,
    };
    this.dataRngAtEpoch = [...saved.dataRng];
    this.modelRngAfterStep = [...saved.modelRng];
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

  /** Run until the epochs are done, early stopping, or hooks.shouldStop(). The loop yields to the
   *  event loop every ~50 ms, so that a signal handler (Ctrl-C), a timer or a browser message can
   *  run and ask it to stop. */
  async run(hooks: TrainHooks = {}): Promise<'done' | 'stopped' | 'early'> {
    const o = this.options;
    const tokens = o.steps * o.batch;
    let norms: Record<string, number> | undefined;
    const history = await trainLoop(this.task(hooks, (n) => { norms = n; }), {
      optimizer: o.optimizer, lr: o.lr, schedule: o.schedule, warmup: o.warmup, minLr: o.minLr, gamma: o.gamma,
      stepEvery: o.stepEvery, clip: o.clip, clipValue: o.clipValue, epochs: o.epochs, patience: o.patience,
      restoreBest: false, onNonFinite: o.onNonFinite,
      onStep: (s) => {
        // a checkpoint written before the next step's update must not hold that step's dropout draws
        this.modelRngAfterStep = this.model.rng.getState();
        hooks.onStep?.({
          epoch: s.epoch, step: s.step, batch: s.batch, batches: s.batches, loss: s.loss, trainPerplexity: Math.exp(s.epochLoss),
          gradNorm: s.gradNorm, gradNormClipped: s.gradNormClipped, lr: s.lr, skipped: s.skipped,
          tokensPerSecond: (tokens * 1000) / Math.max(1e-3, s.milliseconds), paramGradNorms: s.skipped ? undefined : norms,
        });
      },
      onEpoch: (e) => hooks.onEpoch?.({
        epoch: e.epoch, step: e.step, trainPerplexity: Math.exp(e.trainLoss), valPerplexity: e.valLoss ?? null,
        seconds: e.seconds, improved: e.valLoss !== undefined && this.loop.bestEpoch === e.epoch, skipped: e.skipped,
      }),
    }, {
      state: this.loop, optimizer: this.optimizer, advice: STOP_ADVICE,
      ...(hooks.shouldStop ? { shouldStop: hooks.shouldStop } : {}),
      ...(hooks.onCheckpoint ? { onCheckpoint: hooks.onCheckpoint } : {}),
      ...(hooks.checkpointEvery ? { checkpointEvery: hooks.checkpointEvery } : {}),
      afterEpoch: () => {
        // the next epoch's data Rng, and a fresh state for its first minibatch
        this.dataRngAtEpoch = this.dataRng.getState();
        this.carried.h.fill(0);
        this.carried.c?.fill(0);
      },
    });
    return history.stopped === 'aborted' ? 'stopped' : history.stopped;
  }

  /** The loop's view of language-model training: minibatches of the corpus, the model's loss with
   *  the carried state, validation perplexity checked by train/guard. */
  private task(hooks: TrainHooks, setNorms: (n: Record<string, number>) => void): TrainTask<Minibatch> {
    const o = this.options;
    const limit = crossEntropyLimit(this.vocab.size);
    const sequential = o.sampling === 'sequential';
    return {
      params: this.model.params, kernels: this.kernels, batchesPerEpoch: this.batchesPerEpoch, lossLimit: limit,
      batches: () => {
        this.dataRng.setState(this.dataRngAtEpoch);
        return epochBatches(this.train, o.batch, o.steps, o.sampling, this.dataRng);
      },
      lossAndGrad: (mb) => {
        const value = this.model.loss(mb.inputs, mb.targets, o.steps, o.batch, { state: sequential ? this.carried : undefined, training: true });
        // an exploded loss is not worth a backward pass (the loop's check stops or skips the step)
        if (!checkStep(value.loss, undefined, limit)) this.model.backward();
        return value;
      },
      // with sequential partitioning the final state starts the next minibatch, detached
      ...(sequential ? { afterStep: () => this.model.carryState(this.carried) } : {}),
      ...(hooks.paramGradNorms ? { inspectGradients: (params) => setNorms(parameterNorms(params)) } : {}),
      ...(this.val ? {
        validate: () => {
          const v = evaluatePerplexity(this.model, this.val!, { steps: o.steps, rows: o.batch });
          const bad = checkStep(v.loss, undefined, limit);
          if (bad) throw new DivergedError(this.loop.step, this.loop.epoch + 1, `on the validation part, ${bad.reason}`, STOP_ADVICE);
          return v.perplexity;
        },
      } : {}),
    };
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
