/**
 * @module timeseries/forecaster
 * A model with what it needs to be used on raw data: which columns it reads, the normalization
 * fitted on its training part, and the model itself (AR, NARX or a sequence forecaster). Its
 * predictions take and give values in the data's own units.
 */
import { RecurError } from '../errors.js';
import type { Kernels } from '../kernels/types.js';
import type { Rng } from '../tensor/rng.js';
import { ArModel, type Trend } from './ar.js';
import { denormalizeTarget, normalizeExog, normalizeTarget, type Normalization } from './data.js';
import { closedLoop, kStepAhead, openLoop } from './loops.js';
import type { ForecastKind, StepModel, TrainableModel } from './model.js';
import { Narx, type NarxConfig } from './narx.js';
import { SeqForecaster, type SeqConfig } from './seq.js';

/**
 * What a Forecaster needs besides its model: its kind, columns, normalization and model-specific
 * settings, as its file stores them.
 */
export interface ForecasterConfig {
  kind: ForecastKind;
  target: string;               // the target column's name
  exog: string[];               // exogenous columns, in the order the model reads them
  normalization: Normalization;
  ar?: { lags: number[]; trend: Trend } | undefined;
  narx?: NarxConfig | undefined;
  seq?: SeqConfig | undefined;
}

/**
 * A fitted forecasting model with its normalization: predictions in the data's units, open or
 * closed loop; saved by forecasterFile, read by loadForecaster.
 */
export class Forecaster {
  readonly config: ForecasterConfig;
  readonly model: StepModel;

  constructor(config: ForecasterConfig, model: StepModel) {
    if (model.exogSize !== config.exog.length) throw new RecurError(`forecaster: the model reads ${model.exogSize} exogenous columns, the config names ${config.exog.length}`);
    this.config = config;
    this.model = model;
  }

  /** A fresh, untrained neural model for the config (AR models come from `ArModel.fit`). */
  static createNeural(config: ForecasterConfig, k: Kernels, rng: Rng): Forecaster & { model: TrainableModel } {
    if (config.kind === 'narx') {
      if (!config.narx) throw new RecurError('forecaster: a NARX config needs "narx"');
      return new Forecaster(config, new Narx(config.narx, k, rng)) as Forecaster & { model: TrainableModel };
    }
    if (config.kind === 'ar') throw new RecurError('forecaster: an AR model is fitted by least squares, not created untrained');
    if (!config.seq) throw new RecurError(`forecaster: a ${config.kind} config needs "seq"`);
    return new Forecaster(config, new SeqForecaster(config.seq, k, rng)) as Forecaster & { model: TrainableModel };
  }

  /** The AR model, when this is one. */
  get ar(): ArModel | undefined { return this.model instanceof ArModel ? this.model : undefined; }

  /** The normalized target and inputs of raw data. */
  encode(y: ArrayLike<number>, x: ArrayLike<number> | undefined, what = 'series'): { z: Float64Array; xz: Float64Array | undefined } {
    return { z: normalizeTarget(y, this.config.normalization, what), xz: normalizeExog(x, this.config.normalization) };
  }

  /** Normalized target values back in the data's units. */
  decode(z: ArrayLike<number>): Float64Array {
    return denormalizeTarget(z, this.config.normalization);
  }

  /** One-step-ahead predictions for t in [from, to), in the data's units. */
  predictOpen(y: ArrayLike<number>, x: ArrayLike<number> | undefined, from: number, to: number): Float64Array {
    const { z, xz } = this.encode(y, x);
    return this.decode(openLoop(this.model, z, xz, from, to));
  }

  /** A free run of `steps` from origin o (y read before o only). */
  predictClosed(y: ArrayLike<number>, x: ArrayLike<number> | undefined, origin: number, steps: number): Float64Array {
    const { z, xz } = this.encode(Array.prototype.slice.call(y, 0, origin) as number[], x);
    return this.decode(closedLoop(this.model, z, xz, origin, steps));
  }

  /** k-step-ahead predictions for t in [from, to). */
  predictKStep(y: ArrayLike<number>, x: ArrayLike<number> | undefined, k: number, from: number, to: number): Float64Array {
    const { z, xz } = this.encode(y, x);
    return this.decode(kStepAhead(this.model, z, xz, k, from, to));
  }
}
