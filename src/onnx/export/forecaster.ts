/**
 * @module onnx/export/forecaster
 * A forecaster as its one-step (open-loop) predictor, in the data's own units: the graph holds the
 * normalization, the model and the way back.
 *
 *   inputs   y_past (B, P)    y_{t−P} … y_{t−1}, the P values before the predicted step
 *            x      (B, Q, m) x_{t−Q+1} … x_t, the exogenous rows up to the predicted step (m > 0 only)
 *   output   y_next (B)       ŷ_t
 *
 *   z = (g(y) − μ_y) / σ_y  (g = log when the forecaster was fitted on logs),  x̃_j = (x_j − μ_j) / σ_j
 *   AR      ẑ = w_0 + Σ_l w_l z_{t−l}                                P = max lag
 *   NARX    ẑ = MLP([x̃_{t−d} for d in inputDelays ; z_{t−d} for d in feedbackDelays])
 *                                                                    P = max feedback delay, Q = max input delay + 1
 *   seq     f_s = [x̃_s ; z_{s−1}] for the window s = t−W+1 … t, ẑ = head(body(f)_{last step})
 *           (an RNN/GRU/LSTM stack from a zero state, or a TDNN)     P = Q = W
 *   ŷ_t = g⁻¹(ẑ σ_y + μ_y)
 *
 * Closed loop (a free run) is the caller's loop: append ŷ_t to y_past's row, drop its oldest value,
 * and run again with the next exogenous rows.
 */
import { RecurError } from '../../errors.js';
import type { ArModel } from '../../timeseries/ar.js';
import type { Normalization } from '../../timeseries/data.js';
import { regressorCount, type NarxConfig } from '../../timeseries/narx.js';
import type { Forecaster } from '../../timeseries/forecaster.js';
import { rnnConfigOf, tdnnConfigOf } from '../../timeseries/seq.js';
import type { TrainableModel } from '../../timeseries/model.js';
import { DataType, type ModelProto, type ValueInfoProto } from '../proto.js';
import { GraphBuilder, valueInfo } from './graph.js';
import { metadataProps, ONNX_IR_VERSION, ONNX_OPSET } from './model.js';
import { exportRecurrent, transposed } from './recurrent.js';

/** The sizes of the forecaster's inputs: P past values, Q exogenous rows of m columns. */
function inputSizes(f: Forecaster): { P: number; Q: number; m: number } {
  const c = f.config;
  const m = c.exog.length;
  if (f.ar) return { P: Math.max(0, ...f.ar.spec.lags), Q: 0, m: 0 };
  if (c.narx) return { P: Math.max(0, ...c.narx.feedbackDelays), Q: m > 0 ? 1 + Math.max(0, ...c.narx.inputDelays) : 0, m };
  return { P: c.seq!.window, Q: m > 0 ? c.seq!.window : 0, m };
}

/** A Forecaster as a ModelProto (see the module comment). */
export function forecasterProto(f: Forecaster, options: { producerVersion?: string; metadata?: Record<string, string> } = {}): ModelProto {
  const c = f.config;
  const sizes = inputSizes(f);
  if (sizes.P === 0 && sizes.Q === 0) throw new RecurError(`exportOnnx: this ${c.kind} forecaster reads no past values (no lags): a constant has nothing to export`);
  const g = new GraphBuilder();
  for (const n of ['y_past', 'x', 'y_next']) g.claim(n);
  const nz = c.normalization;
  const { inputs, z, xn } = normalizedInputs(g, nz, sizes);
  const param = (name: string) => (f.model as TrainableModel).params.get(name).data;
  // ẑ (B,1), normalized
  const zHat = f.ar ? arPredictor(g, f.ar, z!, sizes.P) : c.narx ? narxPredictor(g, c.narx, z, xn, sizes, param) : seqPredictor(g, f, z!, xn, param);
  // ŷ = g⁻¹(ẑ σ + μ)                                                         (B)
  let y = g.op('Add', [g.op('Mul', [zHat, g.floatScalar(nz.target.std)]), g.floatScalar(nz.target.mean)]);
  if (nz.log) y = g.op('Exp', [y]);
  g.output(g.reshape(y, [-1]), 'y_next');
  const config = { model: 'forecast', kind: c.kind, target: c.target, exog: c.exog, normalization: nz,
                   ...(f.ar ? { ar: f.ar.spec } : {}), ...(c.narx ? { narx: c.narx } : {}), ...(c.seq ? { seq: c.seq } : {}) };
  return {
    ir_version: ONNX_IR_VERSION,
    opset_import: [{ domain: '', version: ONNX_OPSET }],
    producer_name: 'recur',
    ...(options.producerVersion === undefined ? {} : { producer_version: options.producerVersion }),
    doc_string: describeIo(f, sizes),
    graph: { name: 'recur_forecaster', node: g.nodes, initializer: g.initializers, input: inputs,
             output: [valueInfo('y_next', DataType.FLOAT, ['batch'])] },
    metadata_props: metadataProps({ 'recur.config': JSON.stringify(config), ...options.metadata }, options.producerVersion),
  };
}

type Sizes = ReturnType<typeof inputSizes>;

/** The graph inputs y_past and x, normalized: z (B,P) and x̃ (B,Q,m), each absent when not read. */
function normalizedInputs(g: GraphBuilder, nz: Normalization, { P, Q, m }: Sizes) {
  const inputs: ValueInfoProto[] = [];
  // z = (g(y) − μ) / σ                                                       (B,P)
  let z: string | undefined;
  if (P > 0) {
    inputs.push(valueInfo('y_past', DataType.FLOAT, ['batch', P]));
    z = g.op('Div', [g.op('Sub', [nz.log ? g.op('Log', ['y_past']) : 'y_past', g.floatScalar(nz.target.mean)]), g.floatScalar(nz.target.std)]);
  }
  // x̃ = (x − μ_j) / σ_j                                                     (B,Q,m)
  let xn: string | undefined;
  if (Q > 0) {
    inputs.push(valueInfo('x', DataType.FLOAT, ['batch', Q, m]));
    xn = g.op('Div', [g.op('Sub', ['x', g.floats('exog_mean', [m], nz.exog.map((s) => s.mean))]), g.floats('exog_std', [m], nz.exog.map((s) => s.std))]);
  }
  return { inputs, z, xn };
}

/** AR: ẑ = w_0 + Σ_l w_l z_{t−l}, z_{t−l} being column P − l of z.             (B,1) */
function arPredictor(g: GraphBuilder, ar: ArModel, z: string, P: number): string {
  const { lags, trend } = ar.spec;
  const w0 = trend === 'c' ? ar.params[0]! : 0;
  const w = Array.from(ar.params.subarray(trend === 'c' ? 1 : 0));
  return g.op('Gemm', [g.gather(z, lags.map((l) => P - l), 1), g.floats('ar_w', [lags.length, 1], w), g.floats('ar_w0', [1], [w0])]);
}

/** NARX: ẑ = MLP(r), r = [x̃_{t−d} for d in inputDelays (each row's m values) ; z_{t−d} for d in feedbackDelays]. (B,1) */
function narxPredictor(g: GraphBuilder, nx: NarxConfig, z: string | undefined, xn: string | undefined, { P, Q }: Sizes,
                       param: (n: string) => ArrayLike<number>): string {
  const parts: string[] = [];
  // x̃_{t−d} is row Q − 1 − d of x̃; z_{t−d} column P − d of z
  if (xn !== undefined && nx.inputDelays.length > 0) parts.push(g.reshape(g.gather(xn, nx.inputDelays.map((d) => Q - 1 - d), 1), [0, -1]));
  if (z !== undefined && nx.feedbackDelays.length > 0) parts.push(g.gather(z, nx.feedbackDelays.map((d) => P - d), 1));
  let a = g.concat(parts, 1); // (B, regressors)
  const sizes = [regressorCount(nx), ...nx.hidden, 1];
  for (let l = 0; l + 1 < sizes.length; l++) {
    // aˡ = tanh(aˡ⁻¹ Wᵀ + b), the last layer linear
    a = g.op('Gemm', [a, g.floats(`net.${2 * l}.weight`, [sizes[l + 1]!, sizes[l]!], param(`net.${2 * l}.weight`)),
                      g.floats(`net.${2 * l}.bias`, [sizes[l + 1]!], param(`net.${2 * l}.bias`))], { transB: 1 });
    if (l + 2 < sizes.length) a = g.op('Tanh', [a]);
  }
  return a;
}

/** The graph's doc_string: what goes in and comes out. */
function describeIo(f: Forecaster, { P, Q, m }: Sizes): string {
  const c = f.config;
  return `recur ${c.kind} forecaster of "${c.target}", one step ahead (open loop), in the data's units. `
    + (P > 0 ? `y_past: float (batch, ${P}), y[t−${P}] … y[t−1]. ` : '')
    + (Q > 0 ? `x: float (batch, ${Q}, ${m}), the exogenous rows t−${Q - 1} … t (columns ${c.exog.join(', ')}). ` : '')
    + 'y_next: ŷ[t]. For a free run (closed loop), shift ŷ into y_past and run again.';
}

/** A sequence forecaster's ẑ (B,1): the window's inputs, the body, the head at the last step. */
function seqPredictor(g: GraphBuilder, f: Forecaster, z: string, xn: string | undefined, param: (n: string) => ArrayLike<number>): string {
  const sc = f.config.seq!;
  const W = sc.window, H = sc.hidden;
  // f_s = [x̃_s ; z_{s−1}]: (B,W,m+1) → time-major (W,B,m+1)
  const zs = g.unsqueeze(z, [2]);
  const fs = g.transpose(xn === undefined ? zs : g.concat([xn, zs], 2), [1, 0, 2]);
  let h: string; // (W,B,H)
  if (sc.kind === 'tdnn') h = tdnnLayers(g, tdnnConfigOf(sc), W, fs, param);
  else {
    const ctx = { g, lengths: undefined, mask: (): string => { throw new Error('no lengths'); } };
    h = exportRecurrent(ctx, rnnConfigOf(sc), (n) => param(`rnn.${n}`) as never, fs, undefined, undefined, 'rnn.').y;
  }
  // ẑ = head(h at the window's last step)                                   (B,1)
  return g.op('Gemm', [g.gather(h, W - 1, 0), g.floats('head.weight', [1, H], param('head.weight')), g.floats('head.bias', [1], param('head.bias'))],
              { transB: 1 });
}

/**
 * TDNN layers over x (W,B,I): U_t = [x_t ; x_{t−1} ; … ; x_{t−K}] (zeros before the start) as K+1
 * slices of x padded with K zero steps in front, then y = f(U Wᵀ + b).
 */
function tdnnLayers(g: GraphBuilder, c: ReturnType<typeof tdnnConfigOf>, W: number, x: string, param: (n: string) => ArrayLike<number>): string {
  let input = x;
  let I = c.inputSize;
  const act = c.activation === 'tanh' ? 'Tanh' : c.activation === 'relu' ? 'Relu' : 'Identity';
  c.layers.forEach((l, i) => {
    const K = l.delays;
    const padded = K === 0 ? input : g.op('Pad', [input, g.ints([K, 0, 0, 0, 0, 0])]); // (W+K,B,I)
    const u = g.concat(Array.from({ length: K + 1 }, (_, k) => (K === 0 ? padded : g.slice(padded, K - k, K - k + W, 0))), 2); // (W,B,(K+1)I)
    const wT = transposed(param(`tdnn.${i}.weight`), l.size, (K + 1) * I);
    const z = g.op('Add', [g.op('MatMul', [u, g.floats(`tdnn.${i}.weight_T`, [(K + 1) * I, l.size], wT)]), g.floats(`tdnn.${i}.bias`, [l.size], param(`tdnn.${i}.bias`))]);
    input = g.op(act, [z]);
    I = l.size;
  });
  return input;
}
