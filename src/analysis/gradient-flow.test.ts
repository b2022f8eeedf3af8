// The gradient-flow diagnostics against what the notes derive in closed form.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jsKernels } from '../kernels/js/index.js';
import { Rng } from '../tensor/rng.js';
import { globalNorm } from '../train/clip.js';
import { fitLogSlope, gradientHeatmap, gradientNorms, rnnJacobianNorms, weightSpectra } from './gradient-flow.js';
import { singularValues } from './linalg.js';
import { parameterNorms } from './param-norms.js';
import { randomInput, randomStack } from './random-model.js';

const k = jsKernels('float64');

test('linear RNN, W_hh = ρ·orthogonal: gradNorm[d] = ρ^d √(BH), log slope = ln ρ to 1e-6', () => {
  for (const radius of [0.9, 1.1, 0.5]) {
    const H = 12, B = 3, T = 60;
    const stack = randomStack({ cell: 'rnn', activation: 'identity', hidden: H, inputSize: 5, whh: 'orthogonal', radius, seed: 3 }, k);
    const g = gradientNorms(stack, { x: randomInput(T, B, 5, 4, k), T, B });
    assert.deepEqual(g.distance, Array.from({ length: T }, (_, i) => i));
    for (let d = 0; d < T; d++) {
      const want = radius ** d * Math.sqrt(B * H);
      assert.ok(Math.abs(g.gradNorm[d]! - want) <= 1e-10 * want, `ρ=${radius} d=${d}: ${g.gradNorm[d]} vs ${want}`);
    }
    assert.ok(Math.abs(g.logSlope! - Math.log(radius)) < 1e-6, `slope ${g.logSlope} vs ln ρ ${Math.log(radius)}`);
    assert.ok(Math.abs(g.rate! - radius) < 1e-6);
    assert.ok(Math.abs(g.ratio - radius ** (T - 1)) < 1e-9 * radius ** (T - 1));
  }
});

test('residual h_t = h_{t−1} + g(x_t): ∂h_t/∂h_k = I, so every gradNorm is √(BH)', () => {
  const stack = randomStack({ cell: 'residual', hidden: 7, inputSize: 3, seed: 1 }, k);
  const g = gradientNorms(stack, { x: randomInput(30, 2, 3, 1, k), T: 30, B: 2 });
  for (const v of g.gradNorm) assert.ok(Math.abs(v - Math.sqrt(14)) < 1e-12);
  assert.equal(g.ratio, 1);
  assert.deepEqual(weightSpectra(stack), []);
});

test('heatmap: diagonal ‖1‖ = √(BH), zero above it, its last row is gradNorm reversed', () => {
  for (const cell of ['rnn', 'gru', 'lstm'] as const) {
    const H = 5, B = 2, T = 9;
    const stack = randomStack({ cell, hidden: H, inputSize: 3, layers: 2, bidirectional: true, seed: 2 }, k);
    const input = { x: randomInput(T, B, 3, 5, k), T, B };
    const hm = gradientHeatmap(stack, input);
    const g = gradientNorms(stack, input);
    for (let t = 0; t < T; t++) {
      assert.ok(Math.abs(hm[t * T + t]! - Math.sqrt(B * H)) < 1e-12, `${cell} diagonal at ${t}`);
      for (let kk = t + 1; kk < T; kk++) assert.equal(hm[t * T + kk], 0);
    }
    for (let kk = 0; kk < T; kk++) assert.ok(Math.abs(hm[(T - 1) * T + kk]! - g.gradNorm[T - 1 - kk]!) < 1e-14 * g.gradNorm[0]!);
  }
});

test('W_hh scaled per gate block to spectral radius ρ; σ_max ≥ ρ', () => {
  for (const [cell, gates] of [['rnn', 'h'], ['gru', 'rzn'], ['gru-after', 'rzn'], ['lstm', 'ifgo'], ['residual-xh', 'g']] as const) {
    const stack = randomStack({ cell, hidden: 9, inputSize: 4, layers: 2, bidirectional: true, radius: 1.3, seed: 7 }, k);
    const w = weightSpectra(stack);
    assert.equal(w.length, gates.length * 4, cell);
    assert.deepEqual(w.slice(0, gates.length).map((s) => s.gate).join(''), gates);
    assert.deepEqual(w.map((s) => `${s.layer}${s.direction[0]}`).filter((_, i) => i % gates.length === 0), ['0f', '0r', '1f', '1r']);
    for (const s of w) {
      assert.ok(Math.abs(s.spectralRadius - 1.3) < 1e-9, `${cell} ${s.gate}: ρ ${s.spectralRadius}`);
      assert.ok(s.maxSingularValue >= s.spectralRadius - 1e-9);
    }
  }
  // identity init: ρ = σ = 1 exactly
  const irnn = randomStack({ cell: 'rnn', activation: 'relu', hidden: 6, inputSize: 2, whh: 'identity', seed: 0 }, k);
  assert.deepEqual(weightSpectra(irnn).map((s) => [s.spectralRadius, s.maxSingularValue]), [[1, 1]]);
});

test('γ_k = ‖diag(f′(z_k)) W_hhᵀ‖ against a direct SVD; identity f gives σ_max(W_hh) at every step', () => {
  const H = 6, B = 3, T = 8;
  const tanh = randomStack({ cell: 'rnn', hidden: H, inputSize: 2, radius: 1.5, seed: 11 }, k);
  const input = { x: randomInput(T, B, 2, 12, k), T, B };
  const j = rnnJacobianNorms(tanh, input)!;
  const u = tanh.params.get('weight_hh_l0').data;
  const y = tanh.forward(input.x, T, B).y;
  for (const t of [0, 3, 7]) {
    let sum = 0, max = 0;
    for (let b = 0; b < B; b++) {
      const a = new Float64Array(H * H); // a[i][j] = f'(z_i) U[j][i]
      for (let i = 0; i < H; i++) for (let jj = 0; jj < H; jj++) a[i * H + jj] = (1 - y[(t * B + b) * H + i]! ** 2) * u[jj * H + i]!;
      const s = singularValues(a, H, H)[0]!;
      sum += s;
      max = Math.max(max, s);
    }
    assert.ok(Math.abs(j.mean[t]! - sum / B) < 1e-12 && Math.abs(j.max[t]! - max) < 1e-12, `step ${t}`);
  }
  const lin = randomStack({ cell: 'rnn', activation: 'identity', hidden: H, inputSize: 2, seed: 11 }, k);
  const jl = rnnJacobianNorms(lin, input)!;
  const sigma = singularValues(lin.params.get('weight_hh_l0').data, H, H)[0]!;
  for (const v of [...jl.mean, ...jl.max]) assert.ok(Math.abs(v - sigma) < 1e-12);
  assert.ok(Math.abs(jl.geometricMean - sigma) < 1e-12);
  assert.equal(rnnJacobianNorms(randomStack({ cell: 'lstm', hidden: 3, inputSize: 2, seed: 0 }, k), input), undefined);
});

test('fitLogSlope: exact on a geometric sequence; skips zeros and non-finite values; null with < 2 points', () => {
  assert.ok(Math.abs(fitLogSlope([8, 4, 2, 1, 0.5])! - Math.log(0.5)) < 1e-15);
  assert.ok(Math.abs(fitLogSlope([1, 0, 0.01, Infinity])! - Math.log(0.1)) < 1e-15);
  assert.equal(fitLogSlope([1, 0, NaN]), null);
});

test('parameterNorms: one norm per parameter, whose squares sum to the global norm²', () => {
  const stack = randomStack({ cell: 'lstm', hidden: 4, inputSize: 3, layers: 2, seed: 1 }, k);
  const rng = new Rng(5);
  for (let i = 0; i < stack.params.grad.length; i++) stack.params.grad[i] = rng.normal();
  const norms = parameterNorms(stack.params);
  assert.deepEqual(Object.keys(norms), stack.params.list.map((p) => p.name));
  const sum = Object.values(norms).reduce((s, v) => s + v * v, 0);
  assert.ok(Math.abs(Math.sqrt(sum) - globalNorm(stack.params.grad)) < 1e-12);
  const values = parameterNorms(stack.params, 'data');
  assert.ok(Math.abs(values.weight_hh_l0! - Math.hypot(...stack.params.get('weight_hh_l0').data)) < 1e-12);
});
