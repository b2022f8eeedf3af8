/**
 * @module timeseries/seq
 * Sequence forecasters: a recurrent stack (RNN, GRU, LSTM; any cell) or a TDNN stack, and a linear
 * head, over windows of W steps.
 *
 *   input at step s:  f_s = [x_s ; y_{s−1}]            (m exogenous values and the previous output)
 *   h_s = body(f_{t−W+1}, …, f_s)                      (zero initial state at the window's start)
 *   ŷ_s = w_q h_s + b_q
 *
 * sequence-to-sequence: the loss is Σ over the window's steps (after `burnIn` steps of warm-up),
 *   teacher forcing: the inputs hold the true y_{s−1}.
 * sequence-to-one: the loss is at the window's last step only.
 * Prediction of y_t runs the window that ends at t and reads its last output; in closed loop the
 * y_{s−1} inputs are the model's own earlier predictions (timeseries/loops: an autoregressive
 * roll-out, as long as the horizon asks).
 *
 * Parameters: `rnn.<PyTorch name>` or `tdnn.{l}.weight|bias`, then `head.weight` (1, H), `head.bias`.
 */
import { RecurError } from '../errors.js';
import type { Kernels } from '../kernels/types.js';
import type { CellKind } from '../cells/index.js';
import { recurrentConfig } from '../layers/config.js';
import { initLinear, linearBackward, linearForward, linearSpecs } from '../layers/linear.js';
import { ParamSet } from '../layers/params.js';
import { initRecurrent, recurrentParamSpecs, RecurrentStack } from '../layers/recurrent.js';
import type { Rng } from '../tensor/rng.js';
import type { FloatArray } from '../tensor/types.js';
import type { TrainableModel } from './model.js';
import { initTdnn, receptiveField, TdnnStack, tdnnSpecs, type TdnnConfig } from './tdnn.js';

/** The sequence models a SeqForecaster can wrap. */
export type SeqKind = 'rnn' | 'gru' | 'lstm' | 'tdnn';
/** seq2seq: trained on every step's prediction; seq2one: on the last step's only. */
export type SeqMode = 'seq2seq' | 'seq2one';

/**
 * A sequence forecaster: an RNN, GRU, LSTM or TDNN over the series and its exogenous inputs, with a
 * linear read-out.
 */
export interface SeqConfig {
  kind: SeqKind;
  exogSize: number;    // m; the input size is m + 1
  hidden: number;      // H (every TDNN layer has H outputs)
  layers: number;      // L
  delays: number;      // TDNN only: K per layer
  window: number;      // W
  mode: SeqMode;
  burnIn: number;      // seq2seq: steps at the window's start that carry no loss
}

export function checkSeqConfig(c: SeqConfig, what = 'sequence forecaster'): void {
  const pos = (v: number, name: string, min = 1) => {
    if (!Number.isSafeInteger(v) || v < min) throw new RecurError(`${what}: ${name} must be an integer ≥ ${min}, got ${v}`);
  };
  pos(c.exogSize, 'exogSize', 0); pos(c.hidden, 'hidden'); pos(c.layers, 'layers'); pos(c.window, 'window'); pos(c.burnIn, 'burnIn', 0);
  if (c.kind === 'tdnn') pos(c.delays, 'delays', 0);
  if (c.burnIn >= c.window) throw new RecurError(`${what}: burnIn ${c.burnIn} leaves no step of the window ${c.window} to learn from`);
  if (!['rnn', 'gru', 'lstm', 'tdnn'].includes(c.kind)) throw new RecurError(`${what}: kind must be rnn, gru, lstm or tdnn, got ${c.kind}`);
  if (c.mode !== 'seq2seq' && c.mode !== 'seq2one') throw new RecurError(`${what}: mode must be seq2seq or seq2one, got ${c.mode}`);
}

export const tdnnConfigOf = (c: SeqConfig): TdnnConfig => ({
  inputSize: c.exogSize + 1, activation: 'tanh',
  layers: Array.from({ length: c.layers }, () => ({ size: c.hidden, delays: c.delays })),
});

/** The stack of an 'rnn' | 'gru' | 'lstm' forecaster (a 'tdnn' has none: tdnnConfigOf). */
export const rnnConfigOf = (c: SeqConfig) => recurrentConfig({ cell: c.kind as CellKind, inputSize: c.exogSize + 1, hiddenSize: c.hidden, numLayers: c.layers });

export class SeqForecaster implements TrainableModel {
  readonly config: SeqConfig;
  readonly params: ParamSet;
  readonly minHistory: number;
  private readonly k: Kernels;
  private readonly rnn: RecurrentStack | undefined;
  private readonly tdnn: TdnnStack | undefined;
  private ws: { B: number; x: FloatArray; out: FloatArray; dOut: FloatArray; dh: FloatArray } | undefined;
  private lastHidden: FloatArray | undefined; // the body's output (W,B,H) of the last forward

  constructor(config: SeqConfig, k: Kernels, rng: Rng) {
    checkSeqConfig(config);
    this.config = config;
    this.k = k;
    const H = config.hidden;
    if (config.kind === 'tdnn') {
      const tc = tdnnConfigOf(config);
      this.params = new ParamSet(k, [...tdnnSpecs(tc, 'tdnn.'), ...linearSpecs('head.', H, 1)]);
      initTdnn(this.params, tc, rng, 'tdnn.');
      this.tdnn = new TdnnStack(tc, k, rng, this.params, 'tdnn.');
    } else {
      const rc = rnnConfigOf(config);
      this.params = new ParamSet(k, [...recurrentParamSpecs(rc, 'rnn.'), ...linearSpecs('head.', H, 1)]);
      initRecurrent(this.params, rc, rng, 'rnn.');
      this.rnn = new RecurrentStack(rc, k, rng, this.params, 'rnn.');
    }
    initLinear(this.params, 'head.', H, rng);
    this.minHistory = config.window; // f_{t−W+1} reads y_{t−W}
  }

  get exogSize(): number { return this.config.exogSize; }
  /** Steps a TDNN sees; a recurrent stack sees the whole window. */
  get receptiveField(): number { return this.tdnn ? receptiveField(this.tdnn.config) : this.config.window; }

  /** X (W, B, m+1) of the windows ending at ts. */
  private inputs(z: ArrayLike<number>, x: ArrayLike<number> | undefined, ts: ArrayLike<number>): FloatArray {
    const { window: W, exogSize: m } = this.config;
    const B = ts.length;
    const ws = this.workspace(B);
    const F = m + 1;
    if (m > 0 && !x) throw new RecurError(`sequence forecaster: the model reads ${m} exogenous input${m === 1 ? '' : 's'}, none given`);
    for (let w = 0; w < W; w++) {
      for (let b = 0; b < B; b++) {
        const s = ts[b]! - W + 1 + w;
        const o = (w * B + b) * F;
        for (let j = 0; j < m; j++) ws.x[o + j] = x![s * m + j]!;
        ws.x[o + m] = z[s - 1]!;
      }
    }
    return ws.x;
  }

  /** ŷ (W, B) at every step of the windows ending at ts; keeps what backward needs. */
  private forward(z: ArrayLike<number>, x: ArrayLike<number> | undefined, ts: ArrayLike<number>): FloatArray {
    const W = this.config.window, B = ts.length, H = this.config.hidden;
    const input = this.inputs(z, x, ts);
    const h = this.rnn ? this.rnn.forward(input, W, B).y : this.tdnn!.forward(input, W, B);
    const ws = this.ws!;
    this.lastHidden = h;
    linearForward(this.k, ws.out, h, this.params.get('head.weight').data, this.params.get('head.bias').data, W * B, H, 1);
    return ws.out;
  }

  predict(z: ArrayLike<number>, x: ArrayLike<number> | undefined, ts: ArrayLike<number>): Float64Array {
    const out = new Float64Array(ts.length);
    const CHUNK = 512;
    const W = this.config.window;
    for (let s = 0; s < ts.length; s += CHUNK) {
      const part = Array.prototype.slice.call(ts, s, Math.min(ts.length, s + CHUNK)) as number[];
      const y = this.forward(z, x, part);
      const B = part.length;
      for (let b = 0; b < B; b++) out[s + b] = y[(W - 1) * B + b]!;
    }
    return out;
  }

  lossAndGrad(z: ArrayLike<number>, x: ArrayLike<number> | undefined, ts: ArrayLike<number>): number {
    const { window: W, hidden: H, mode } = this.config;
    const B = ts.length;
    const y = this.forward(z, x, ts);
    const ws = this.ws!;
    const first = mode === 'seq2one' ? W - 1 : this.config.burnIn;
    const count = (W - first) * B;
    // L = mean over the counted steps of (ŷ_s − y_s)²
    let loss = 0;
    ws.dOut.fill(0);
    for (let w = first; w < W; w++) {
      for (let b = 0; b < B; b++) {
        const i = w * B + b;
        const e = y[i]! - z[ts[b]! - W + 1 + w]!;
        loss += e * e;
        ws.dOut[i] = (2 * e) / count;
      }
    }
    const head = this.params.get('head.weight');
    ws.dh.fill(0);
    linearBackward(this.k, ws.dh, head.grad, this.params.get('head.bias').grad, ws.dOut, this.lastHidden!, head.data, W * B, H, 1);
    if (this.rnn) this.rnn.backward(ws.dh, undefined, undefined, { inputGrad: false });
    else this.tdnn!.backward(ws.dh);
    return loss / count;
  }

  trainingTargets(end: number): Int32Array {
    const from = this.minHistory;
    return Int32Array.from({ length: Math.max(0, end - from) }, (_, i) => from + i);
  }

  private workspace(B: number) {
    const { window: W, hidden: H, exogSize: m } = this.config;
    if (this.ws && this.ws.B === B) return this.ws;
    if (this.ws) for (const a of [this.ws.x, this.ws.out, this.ws.dOut, this.ws.dh]) this.k.free(a);
    this.ws = { B, x: this.k.alloc(W * B * (m + 1)), out: this.k.alloc(W * B), dOut: this.k.alloc(W * B), dh: this.k.alloc(W * B * H) };
    return this.ws;
  }
}
