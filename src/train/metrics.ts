/**
 * @module train/metrics
 * What `evaluate` reports besides the loss, accumulated over batches and counting only real steps
 * (padded steps and −100 targets skipped):
 *
 *   accuracy     share of rows whose argmax is the target class (one logit per row and a 0/1
 *                target: logit > 0 means class 1)
 *   perplexity   exp(mean cross-entropy)
 *   rmse, mae    √mean (ŷ − y)², mean |ŷ − y|
 */
import { RecurError } from '../errors.js';
import type { Kernels } from '../kernels/types.js';
import { crossEntropy } from '../layers/loss.js';
import type { Tensor } from '../nn/types.js';
import { IGNORE_INDEX } from '../data/sequences.js';
import { classTargets, outputRows } from './losses.js';

/** A metric by name. */
export type MetricName = 'accuracy' | 'perplexity' | 'rmse' | 'mae';
/** Every metric name. */
export const METRICS: readonly MetricName[] = ['accuracy', 'perplexity', 'rmse', 'mae'];

/** A running metric: add batches, read the value over all of them. */
export interface Metric {
  readonly name: MetricName;
  /** Count one batch: the model's output and the batch's targets. */
  add(k: Kernels, output: Tensor, targets: Int32Array | Float64Array): void;
  /** The metric over every batch added so far. */
  value(): number;
}

/** A fresh accumulator for a metric. */
export function createMetric(name: MetricName): Metric {
  let sum = 0;
  let count = 0;
  const add = (s: number, n: number) => { sum += s; count += n; };
  switch (name) {
    case 'accuracy': return {
      name, value: () => sum / Math.max(count, 1),
      add(_k, output, targets) {
        const { R, W, counts } = outputRows(output);
        if (W === 1) {
          // one logit per row: class 1 when it is > 0
          for (let r = 0; r < R; r++) if (!counts || counts[r]) add((output.data[r]! > 0 ? 1 : 0) === targets[r]! ? 1 : 0, 1);
          return;
        }
        const y = classTargets(output, targets);
        for (let r = 0; r < R; r++) {
          if (y[r] === IGNORE_INDEX) continue;
          let best = 0;
          for (let j = 1; j < W; j++) if (output.data[r * W + j]! > output.data[r * W + best]!) best = j;
          add(best === y[r] ? 1 : 0, 1);
        }
      },
    };
    case 'perplexity': return {
      name, value: () => Math.exp(sum / Math.max(count, 1)),
      add(k, output, targets) {
        const { R, W } = outputRows(output);
        const v = crossEntropy(k, output.data, classTargets(output, targets), undefined, R, W, { reduction: 'sum', ignoreIndex: IGNORE_INDEX });
        add(v.loss, v.count);
      },
    };
    case 'rmse':
    case 'mae': return {
      name, value: () => (name === 'rmse' ? Math.sqrt(sum / Math.max(count, 1)) : sum / Math.max(count, 1)),
      add(_k, output, targets) {
        const { R, W, counts } = outputRows(output);
        if (targets.length !== R * W) throw new RecurError(`${name}: expected ${R * W} target values, got ${targets.length}`);
        for (let r = 0; r < R; r++) {
          if (counts && !counts[r]) continue;
          for (let j = 0; j < W; j++) {
            const d = output.data[r * W + j]! - targets[r * W + j]!;
            add(name === 'rmse' ? d * d : Math.abs(d), 1);
          }
        }
      },
    };
    default: throw new RecurError(`metric: expected one of ${METRICS.join(', ')}, got ${JSON.stringify(name)}`);
  }
}
