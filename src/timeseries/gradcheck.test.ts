// Finite differences in float64: the TDNN stack (1–3 layers, delays 0–3, every activation), the
// NARX MLP through its loss, and both sequence forecasters' losses (an LSTM, a TDNN; sequence to
// sequence and sequence to one) against central differences, to 1e-6 relative.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { finiteDifferenceError } from '../../test/helpers.js';
import { jsKernels } from '../kernels/js/index.js';
import type { Activation } from '../kernels/types.js';
import { Rng } from '../tensor/rng.js';
import { Narx } from './narx.js';
import { SeqForecaster, type SeqConfig } from './seq.js';
import { TdnnStack, type TdnnConfig } from './tdnn.js';

const k = jsKernels('float64');
const TOL = 1e-6;
const randn = (rng: Rng, n: number) => Float64Array.from({ length: n }, () => rng.normal());
const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => { let s = 0; for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!; return s; };

function checkTdnn(c: TdnnConfig, T: number, B: number): void {
  const rng = new Rng(3);
  const stack = new TdnnStack(c, k, rng);
  const x = randn(rng, T * B * c.inputSize);
  const dy = randn(rng, T * B * stack.outputSize);
  const loss = () => dot(stack.forward(x, T, B), dy);
  loss();
  stack.params.zeroGrad();
  const dx = Float64Array.from(stack.backward(dy));
  const label = `${c.layers.map((l) => `${l.size}/${l.delays}`).join('-')} ${c.activation}`;
  const p = finiteDifferenceError(stack.params.data, stack.params.grad, loss);
  assert.ok(p.error < TOL, `${label}: parameter ${p.index}: ${p.error}`);
  const i = finiteDifferenceError(x, dx, loss);
  assert.ok(i.error < TOL, `${label}: input ${i.index}: ${i.error}`);
}

test('TDNN: parameter and input gradients match finite differences (stacked, every activation)', () => {
  const acts: Activation[] = ['tanh', 'relu', 'identity'];
  for (const activation of acts) {
    checkTdnn({ inputSize: 2, activation, layers: [{ size: 3, delays: 2 }] }, 5, 2);
    checkTdnn({ inputSize: 3, activation, layers: [{ size: 4, delays: 1 }, { size: 2, delays: 3 }] }, 6, 3);
    checkTdnn({ inputSize: 1, activation, layers: [{ size: 2, delays: 0 }, { size: 3, delays: 2 }, { size: 2, delays: 1 }] }, 7, 2);
  }
});

test('TDNN: causal — an output never depends on a later input, and reaches exactly 1 + ΣK steps back', () => {
  const c: TdnnConfig = { inputSize: 1, activation: 'tanh', layers: [{ size: 3, delays: 2 }, { size: 1, delays: 1 }] };
  const stack = new TdnnStack(c, k, new Rng(5));
  const T = 8;
  const x = randn(new Rng(6), T);
  const dy = new Float64Array(T);
  dy[5] = 1; // ∂y_5/∂x
  stack.forward(x, T, 1);
  stack.params.zeroGrad();
  const dx = stack.backward(dy);
  for (let t = 0; t < T; t++) {
    const reaches = t <= 5 && t >= 5 - 3; // receptive field 1 + 2 + 1 = 4
    assert.equal(dx[t] !== 0, reaches, `x_${t}`);
  }
});

test('NARX: the MLP gradients of the open-loop loss match finite differences (with exogenous inputs)', () => {
  const rng = new Rng(8);
  const n = 30, m = 2;
  const z = randn(rng, n), x = randn(rng, n * m);
  const narx = new Narx({ exogSize: m, inputDelays: [0, 2], feedbackDelays: [1, 3], hidden: [5, 4] }, k, rng);
  const ts = Int32Array.from([5, 9, 17, 29, 12]);
  narx.params.zeroGrad();
  narx.lossAndGrad(z, x, ts);
  const grad = Float64Array.from(narx.params.grad);
  const loss = () => { const p = narx.predict(z, x, ts); let s = 0; ts.forEach((t, i) => { s += (p[i]! - z[t]!) ** 2; }); return s / ts.length; };
  const r = finiteDifferenceError(narx.params.data, grad, loss);
  assert.ok(r.error < TOL, `parameter ${r.index}: ${r.error}`);
});

function checkSeq(c: SeqConfig): void {
  const rng = new Rng(9);
  const n = 40;
  const z = randn(rng, n), x = randn(rng, n * c.exogSize);
  const model = new SeqForecaster(c, k, rng);
  const ts = Int32Array.from([c.window, 20, 39]);
  model.params.zeroGrad();
  const l0 = model.lossAndGrad(z, x, ts);
  const grad = Float64Array.from(model.params.grad);
  const loss = () => { model.params.zeroGrad(); return model.lossAndGrad(z, x, ts); };
  assert.ok(Math.abs(loss() - l0) < 1e-15);
  const r = finiteDifferenceError(model.params.data, grad, loss);
  assert.ok(r.error < TOL, `${c.kind} ${c.mode}: parameter ${r.index}: ${r.error}`);
}

test('sequence forecasters: LSTM, GRU and TDNN losses (seq2seq with burn-in, seq2one) match finite differences', () => {
  const base = { exogSize: 1, hidden: 3, layers: 2, delays: 2, window: 6, burnIn: 2 };
  checkSeq({ ...base, kind: 'lstm', mode: 'seq2seq' });
  checkSeq({ ...base, kind: 'gru', mode: 'seq2one' });
  checkSeq({ ...base, kind: 'rnn', mode: 'seq2seq', exogSize: 0 });
  checkSeq({ ...base, kind: 'tdnn', mode: 'seq2seq' });
  checkSeq({ ...base, kind: 'tdnn', mode: 'seq2one', layers: 1 });
});
