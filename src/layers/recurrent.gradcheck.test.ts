// Finite differences in float64 for every cell × form × activation × 1–2 layers × one or two
// directions × with/without lengths: the analytic gradient of
//   L = Σ y·dy + Σ h_n·dh_n + Σ c_n·dc_n
// with respect to every parameter, x, h0 and c0 must match central differences to 1e-6 relative.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jsKernels } from '../kernels/js/index.js';
import { Rng } from '../tensor/rng.js';
import type { FloatArray } from '../tensor/types.js';
import { parseRecurrentConfig, recurrentConfig, type RecurrentConfig } from './config.js';
import { RecurrentStack } from './recurrent.js';
import { finiteDifferenceError } from '../../test/helpers.js';

const k = jsKernels('float64');
const EPS = 1e-5;
const TOL = 1e-6;

const CELLS: Partial<RecurrentConfig>[] = [
  { cell: 'rnn', nonlinearity: 'tanh' },
  { cell: 'rnn', nonlinearity: 'relu' },
  { cell: 'rnn', nonlinearity: 'identity' },
  { cell: 'gru', resetAfter: false },
  { cell: 'gru', resetAfter: true },
  { cell: 'lstm' },
  { cell: 'residual', residual: 'x' },
  { cell: 'residual', residual: 'xh' },
  { cell: 'residual', residual: 'xh', nonlinearity: 'relu' },
];

function randn(rng: Rng, n: number): Float64Array {
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.normal();
  return a;
}

const dot = (a: FloatArray, b: FloatArray): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};

function check(partial: Partial<RecurrentConfig>, numLayers: number, bidirectional: boolean, withLengths: boolean, dropout = 0): void {
  const T = 4, B = 3, I = 3, H = 3;
  const config = parseRecurrentConfig({ inputSize: I, hiddenSize: H, numLayers, bidirectional, dropout, ...partial });
  const D = bidirectional ? 2 : 1;
  const dataRng = new Rng(7);
  const stackRng = new Rng(11);
  const stack = new RecurrentStack(config, k, stackRng);
  // scale weights up a little so that gates are away from trivial regimes
  for (let i = 0; i < stack.params.data.length; i++) stack.params.data[i]! *= 1.5;
  const x = randn(dataRng, T * B * I);
  const h0 = randn(dataRng, numLayers * D * B * H);
  const lstm = config.cell === 'lstm';
  const c0 = lstm ? randn(dataRng, numLayers * D * B * H) : undefined;
  const lengths = withLengths ? Int32Array.from([T, 2, 1]) : undefined;
  const dy = randn(dataRng, T * B * D * H);
  const dhN = randn(dataRng, numLayers * D * B * H);
  const dcN = lstm ? randn(dataRng, numLayers * D * B * H) : undefined;
  const rngState = stackRng.getState();

  const loss = (): number => {
    stackRng.setState(rngState); // the same dropout mask every time
    const out = stack.forward(x, T, B, { h0, c0, lengths, training: dropout > 0 });
    return dot(out.y, dy) + dot(out.hN, dhN) + (out.cN && dcN ? dot(out.cN, dcN) : 0);
  };

  loss();
  stack.params.zeroGrad();
  const g = stack.backward(dy, dhN, dcN);
  const analytic: [string, FloatArray, Float64Array][] = [
    ['params', stack.params.data, Float64Array.from(stack.params.grad)],
    ['x', x, Float64Array.from(g.dx!)],
    ['h0', h0, Float64Array.from(g.dh0)],
  ];
  if (c0 && g.dc0) analytic.push(['c0', c0, Float64Array.from(g.dc0)]);

  const name = `${JSON.stringify(partial)} L=${numLayers} D=${D} lengths=${withLengths} dropout=${dropout}`;
  for (const [what, values, grad] of analytic) {
    const { error, index } = finiteDifferenceError(values, grad, loss, EPS);
    assert.ok(error < TOL, `${name}: d${what} max relative error ${error.toExponential(2)} at index ${index}`);
  }
}

for (const cell of CELLS) {
  test(`gradient check ${JSON.stringify(cell)}`, () => {
    for (const layers of [1, 2]) for (const bi of [false, true]) for (const len of [false, true]) {
      check(cell, layers, bi, len);
    }
  });
}

test('gradient check with dropout between layers', () => {
  check({ cell: 'lstm' }, 2, true, true, 0.3);
  check({ cell: 'gru', resetAfter: true }, 3, false, false, 0.5);
});

test('the gradient check can fail: a wrong backward is caught', () => {
  // sabotage one gradient and make sure the comparison notices
  const config = recurrentConfig({ cell: 'rnn', inputSize: 2, hiddenSize: 2 });
  const stack = new RecurrentStack(config, k, new Rng(1));
  const x = randn(new Rng(2), 3 * 1 * 2);
  const dy = randn(new Rng(3), 3 * 2);
  stack.forward(x, 3, 1);
  stack.params.zeroGrad();
  stack.backward(dy);
  const p = stack.params.data;
  const before = stack.params.grad[0]!;
  const f = (): number => dot(stack.forward(x, 3, 1).y, dy);
  const v = p[0]!;
  p[0] = v + EPS; const up = f(); p[0] = v - EPS; const down = f(); p[0] = v;
  const numeric = (up - down) / (2 * EPS);
  assert.ok(Math.abs(numeric - before) < 1e-8);
  assert.ok(Math.abs(numeric - (before + 1e-3)) > 1e-6);
});

test('state gradients: for h_t = W_hh h_{t-1} + W_ih x_t, ∂(Σ h_{T-1})/∂h_{T-1-d} = (W_hhᵀ)^d · 1', () => {
  const T = 6, B = 2, I = 2, H = 3;
  const config = recurrentConfig({ cell: 'rnn', nonlinearity: 'identity', inputSize: I, hiddenSize: H, numLayers: 2 });
  const stack = new RecurrentStack(config, k, new Rng(5));
  const x = randn(new Rng(6), T * B * I);
  stack.forward(x, T, B);
  const dhN = new Float64Array(2 * B * H);
  dhN.fill(1, B * H); // L = Σ of the top layer's last state
  stack.backward(new Float64Array(T * B * H), dhN, undefined, { stateGrads: true });
  const g = stack.stateGradients(1);
  const w = stack.params.get('weight_hh_l1').data; // (H,H)
  let v = new Float64Array(H).fill(1);
  for (let dist = 0; dist < T; dist++) {
    const t = T - 1 - dist;
    for (let b = 0; b < B; b++) for (let j = 0; j < H; j++) assert.ok(Math.abs(g[(t * B + b) * H + j]! - v[j]!) < 1e-12);
    const next = new Float64Array(H); // v ← W_hhᵀ v
    for (let i = 0; i < H; i++) for (let j = 0; j < H; j++) next[j]! += w[i * H + j]! * v[i]!;
    v = next;
  }
});
