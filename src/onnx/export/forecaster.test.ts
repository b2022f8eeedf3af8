// Forecasters as their one-step (open-loop) predictor in the data's units: ONNX Runtime's ŷ_t from
// y_past and x against recur's predictOpen, for every kind (AR, NARX, TDNN, RNN, GRU, LSTM); recur's
// own interpreter (importOnnx(...).run) on the same graph against ONNX Runtime.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RecurError } from '../../errors.js';
import { jsKernels } from '../../kernels/js/index.js';
import { Rng } from '../../tensor/rng.js';
import { ArModel } from '../../timeseries/ar.js';
import { Forecaster, type ForecasterConfig } from '../../timeseries/forecaster.js';
import type { SeqConfig } from '../../timeseries/seq.js';
import { importOnnx } from '../import/index.js';
import { exportOnnx } from './index.js';
import { floatInput, runOnnx } from '../../../test/onnx-run.js';

const k = jsKernels('float32');

function series(n: number, m: number, seed: number): { y: Float64Array; x: Float64Array | undefined } {
  const r = new Rng(seed);
  const y = Float64Array.from({ length: n }, (_, i) => 10 + 3 * Math.sin(i / 3) + r.uniformIn(-1, 1)); // > 0, for the log
  const x = m > 0 ? Float64Array.from({ length: n * m }, () => r.uniformIn(-2, 2)) : undefined;
  return { y, x };
}

function config(kind: ForecasterConfig['kind'], m: number, log: boolean, seed: number): ForecasterConfig {
  const r = new Rng(seed);
  return {
    kind, target: 'y', exog: Array.from({ length: m }, (_, j) => `x${j}`),
    normalization: { log, target: { mean: log ? 2.2 : 9.5, std: log ? 0.3 : 2.5 },
                     exog: Array.from({ length: m }, () => ({ mean: r.uniformIn(-0.5, 0.5), std: r.uniformIn(0.5, 2) })) },
  };
}

const seq = (kind: SeqConfig['kind'], m: number, layers: number): SeqConfig =>
  ({ kind, exogSize: m, hidden: 3, layers, delays: 2, window: 5, mode: 'seq2seq', burnIn: 0 });

/** ŷ_t from ONNX Runtime for t in [from, n), each from its own y_past and x rows. */
async function onnxPredictions(f: Forecaster, y: Float64Array, x: Float64Array | undefined, P: number, Q: number, from: number): Promise<Float64Array> {
  const bytes = exportOnnx(f);
  const m = f.config.exog.length;
  const ts = Array.from({ length: y.length - from }, (_, i) => from + i);
  const feeds: Record<string, ReturnType<typeof floatInput>> = {};
  if (P > 0) feeds.y_past = floatInput(ts.flatMap((t) => Array.from(y.subarray(t - P, t))), [ts.length, P]);
  if (Q > 0) feeds.x = floatInput(ts.flatMap((t) => Array.from(x!.subarray((t - Q + 1) * m, (t + 1) * m))), [ts.length, Q, m]);
  const want = (await runOnnx(bytes, feeds)).y_next!;
  // recur's own interpreter runs the same graph (Pad, Log, Exp, the recurrent nodes) as ONNX Runtime
  const mine = importOnnx(bytes).run(Object.fromEntries(Object.entries(feeds).map(([name, t]) => [name, { data: t.data as Float32Array, shape: t.dims }])));
  want.forEach((v, i) => assert.ok(Math.abs(mine.y_next!.data[i]! - v) <= 1e-5 * Math.max(1, Math.abs(v)), `graph.run ${mine.y_next!.data[i]} vs ONNX Runtime ${v}`));
  return want;
}

const cases: { name: string; make: () => Forecaster; P: number; Q: number }[] = [
  { name: 'AR(3) with a constant, on logs', P: 3, Q: 0,
    make: () => new Forecaster(config('ar', 0, true, 1), new ArModel({ lags: [1, 2, 3], trend: 'c' }, [0.1, 0.6, -0.2, 0.3])) },
  { name: 'AR lags 1,4 without a constant', P: 4, Q: 0,
    make: () => new Forecaster(config('ar', 0, false, 2), new ArModel({ lags: [4, 1], trend: 'n' }, [0.5, 0.4])) },
  { name: 'NARX, feedback only, one hidden layer', P: 3, Q: 0,
    make: () => Forecaster.createNeural({ ...config('narx', 0, false, 3), narx: { exogSize: 0, inputDelays: [], feedbackDelays: [1, 3], hidden: [4] } }, k, new Rng(3)) },
  { name: 'NARX with two exogenous columns, two hidden layers, on logs', P: 2, Q: 3,
    make: () => Forecaster.createNeural({ ...config('narx', 2, true, 4), narx: { exogSize: 2, inputDelays: [0, 2], feedbackDelays: [1, 2], hidden: [3, 2] } }, k, new Rng(4)) },
  { name: 'NARX, exogenous inputs only, linear', P: 0, Q: 2,
    make: () => Forecaster.createNeural({ ...config('narx', 1, false, 5), narx: { exogSize: 1, inputDelays: [1], feedbackDelays: [], hidden: [] } }, k, new Rng(5)) },
  { name: 'TDNN, two layers of 2 delays, one exogenous column', P: 5, Q: 5,
    make: () => Forecaster.createNeural({ ...config('tdnn', 1, false, 6), seq: seq('tdnn', 1, 2) }, k, new Rng(6)) },
  { name: 'RNN, one layer', P: 5, Q: 0,
    make: () => Forecaster.createNeural({ ...config('rnn', 0, true, 7), seq: seq('rnn', 0, 1) }, k, new Rng(7)) },
  { name: 'GRU, two layers, two exogenous columns', P: 5, Q: 5,
    make: () => Forecaster.createNeural({ ...config('gru', 2, false, 8), seq: seq('gru', 2, 2) }, k, new Rng(8)) },
  { name: 'LSTM, two layers, one exogenous column', P: 5, Q: 5,
    make: () => Forecaster.createNeural({ ...config('lstm', 1, false, 9), seq: seq('lstm', 1, 2) }, k, new Rng(9)) },
];

for (const c of cases) {
  test(`forecaster export: ${c.name}: ONNX Runtime's ŷ matches predictOpen (relative error ≤ 1e-5)`, async () => {
    const f = c.make();
    const m = f.config.exog.length;
    const { y, x } = series(24, m, 11);
    const from = f.model.minHistory;
    const expected = f.predictOpen(y, x, from, y.length);
    const got = await onnxPredictions(f, y, x, c.P, c.Q, from);
    assert.equal(got.length, expected.length);
    for (let i = 0; i < got.length; i++) {
      const e = Math.abs(got[i]! - expected[i]!) / Math.max(1, Math.abs(expected[i]!));
      assert.ok(e <= 1e-5, `t = ${from + i}: ONNX ${got[i]} vs recur ${expected[i]} (relative error ${e})`);
    }
  });
}

test('forecaster export refuses layout options and a model with no past values, in one line', () => {
  const f = cases[0]!.make();
  assert.throws(() => exportOnnx(f, { batchFirst: true }), (e: unknown) => e instanceof RecurError && /"batchFirst" does not apply to a forecaster/.test(e.message) && !e.message.includes('\n'));
  const constant = new Forecaster(config('ar', 0, false, 1), new ArModel({ lags: [], trend: 'c' }, [0.5]));
  assert.throws(() => exportOnnx(constant), (e: unknown) => e instanceof RecurError && /reads no past values/.test(e.message) && !e.message.includes('\n'));
});
