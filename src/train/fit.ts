/**
 * @module train/fit
 * `fit`, `evaluate` and `predict`: a Model, a loss and data, through the one training loop
 * (train/loop). The Keras-like surface of recur:
 *
 *   const history = await fit(model, train, { loss: 'crossEntropy', lr: 0.01, epochs: 20, validation: test });
 *   const { loss, accuracy } = evaluate(model, test, { loss: 'crossEntropy', metrics: ['accuracy'] });
 */
import { RecurError } from '../errors.js';
import type { LossValue } from '../layers/loss.js';
import { Workspace } from '../nn/buffers.js';
import type { Model } from '../nn/model.js';
import type { Tensor, Tokens } from '../nn/types.js';
import type { FloatArray } from '../tensor/types.js';
import type { Batch, BatchSource } from '../data/sequences.js';
import { trainLoop, type History, type LoopOptions } from './loop.js';
import { lossFunction, type LossFunction, type LossName } from './losses.js';
import { createMetric, type MetricName } from './metrics.js';

/** `fit`'s options: the loss, and how to train (see LoopOptions for every field and its default). */
export interface FitOptions<X = Tensor | Tokens> extends LoopOptions {
  loss: LossName | LossFunction;
  /** Evaluated after every epoch: its loss decides early stopping and the best epoch. */
  validation?: BatchSource<X>;
  /** Reported for the validation data after every epoch (EpochLog.metrics). */
  metrics?: readonly MetricName[];
  /** The batches are batch-first: inputs (B,T,…) and per-step targets (B,T), as PyTorch's batch_first. */
  batchFirst?: boolean;
}

/**
 * Train a model on batches (a list, or a source such as SequenceData that cuts them per epoch)
 * through the one training loop; the model ends in evaluation mode, holding the best validation
 * epoch's parameters when there is validation data.
 *
 * @example A tagger: one class per step, padded steps ignored (examples/bilstm-tagger.ts)
 * ```ts
 * const model = sequential([
 *   embedding({ numEmbeddings: 10, embeddingDim: 8 }),
 *   recurrent({ cell: 'lstm', hiddenSize: 32, bidirectional: true }),
 *   linear({ outputSize: 2 }),                                  // per step: (T, B, 2)
 * ], { kernels, seed: 1 });
 * const train = new SequenceData(digits, tags, { tokens: true, bucket: true });  // tags: number[][]
 * const history = await fit(model, train, { loss: 'crossEntropy', lr: 0.01, clip: 1, epochs: 8 });
 * ```
 */
export async function fit<X = Tensor | Tokens>(model: Model<X>, data: BatchSource<X>, options: FitOptions<X>): Promise<History> {
  const loss = lossFunction(options.loss);
  const k = model.kernels;
  // ∂L/∂output, in the backend's memory, reused while the output's size stays
  const grads = new Workspace(() => k);
  const dOut = (out: Tensor): FloatArray => grads.get(`${out.data.length}`, [out.data.length])[0]!;
  const validation = options.validation;
  const layout = { batchFirst: options.batchFirst === true };
  let lastEval: Record<string, number> = {};
  const history = await trainLoop<Batch<X>>({
    params: model.params,
    kernels: k,
    batchesPerEpoch: batchCount(data),
    batches: (epoch) => batchesOf(data, epoch),
    lossAndGrad(batch: Batch<X>): LossValue {
      model.train();
      const out = model.forward(batch.x, layout);
      const value = loss(k, out, batch.y, dOut(out));
      model.backward(dOut(out), { inputGrad: false });
      return value;
    },
    ...(validation ? {
      validate: () => {
        lastEval = evaluate(model, validation, { loss: options.loss, metrics: options.metrics ?? [], batchFirst: layout.batchFirst });
        return lastEval.loss;
      },
    } : {}),
  }, options, {
    epochMetrics: () => {
      const { loss: _loss, ...metrics } = lastEval;
      return metrics as Record<string, number>;
    },
  });
  model.eval();
  return history;
}

/** The mean loss (when `loss` is given) and metrics of a model over data, in evaluation mode. */
export function evaluate<X = Tensor | Tokens>(model: Model<X>, data: BatchSource<X>,
                                              options: { loss?: LossName | LossFunction; metrics?: readonly MetricName[]; batchFirst?: boolean }): Record<string, number> {
  const wasTraining = model.training;
  model.eval();
  const loss = options.loss === undefined ? undefined : lossFunction(options.loss);
  const metrics = (options.metrics ?? []).map(createMetric);
  if (!loss && metrics.length === 0) throw new RecurError('evaluate: expected a loss or at least one metric, got neither');
  let sum = 0, count = 0;
  for (const batch of batchesOf(data, 0)) {
    const out = model.forward(batch.x, { batchFirst: options.batchFirst === true });
    if (loss) { const v = loss(model.kernels, out, batch.y, undefined); sum += v.loss * v.count; count += v.count; }
    for (const m of metrics) m.add(model.kernels, out, batch.y);
  }
  model.train(wasTraining);
  const result: Record<string, number> = {};
  if (loss) result.loss = sum / Math.max(count, 1);
  for (const m of metrics) result[m.name] = m.value();
  return result;
}

/** The model's output for x in evaluation mode, copied (yours to keep): (B,O) per sequence or
 *  (T,B,O) per step (rows past a sequence's length are padding). `batchFirst` as Model.forward. */
export function predict<X = Tensor | Tokens>(model: Model<X>, x: X, options: { batchFirst?: boolean } = {}): Tensor {
  const wasTraining = model.training;
  model.eval();
  const out = model.forward(x, options);
  model.train(wasTraining);
  return { data: out.data.slice(), shape: [...out.shape], lengths: out.lengths?.slice(), batchFirst: out.batchFirst };
}

/** A list of batches (the same every epoch), as opposed to a source that cuts them per epoch. */
const isList = <X>(data: BatchSource<X>): data is readonly Batch<X>[] => Array.isArray(data);

function batchesOf<X>(data: BatchSource<X>, epoch: number): Iterable<Batch<X>> {
  return isList(data) ? data : data.batches(epoch);
}

function batchCount<X>(data: BatchSource<X>): number {
  if (isList(data)) return data.length;
  if (data.batchCount !== undefined) return data.batchCount;
  let n = 0;
  for (const _ of data.batches(0)) n++;
  return n;
}
