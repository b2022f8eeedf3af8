// The vanishing section's figure computes what `recur gradients` prints: the same gradient norms,
// spectral radius and eigenvalues of W_h for the same settings (the command the figure shows).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { computeGates, computeLinear, gatesCommand, linearCommand, type LinearParams } from '../../web/src/notes/sections/vanishing/compute.js';
import { recurJson, ROOT } from './harness.js';

const sortEig = (v: [number, number][]) => [...v].sort((a, b) => a[0] - b[0] || a[1] - b[1]);

for (const p of [
  { radius: 0.9, hidden: 16, steps: 60, whh: 'uniform', seed: 0 },
  { radius: 1.2, hidden: 4, steps: 30, whh: 'orthogonal', seed: 3 },
] as LinearParams[]) {
  test(`vanishing-linear = ${linearCommand(p)}`, () => {
    const page = computeLinear(p);
    const cli = recurJson(linearCommand(p)) as { gradNorm: number[]; rate: number; weights: { spectralRadius: number; maxSingularValue: number }[]; eigenvalues: { values: [number, number][] }[] };
    assert.deepEqual(page.gradNorm, cli.gradNorm);
    assert.equal(page.rate, cli.rate);
    assert.equal(page.spectralRadius, cli.weights[0]!.spectralRadius);
    assert.equal(page.maxSingularValue, cli.weights[0]!.maxSingularValue);
    assert.deepEqual(sortEig(page.eigenvalues), sortEig(cli.eigenvalues[0]!.values));
    // and what they say: W_h was scaled to ρ, and the largest |λ| is ρ
    assert.ok(Math.abs(page.spectralRadius - p.radius) < 1e-9, `ρ = ${page.spectralRadius}`);
    assert.ok(Math.abs(Math.max(...page.eigenvalues.map(([re, im]) => Math.hypot(re, im))) - p.radius) < 1e-9);
    assert.equal(page.eigenvalues.length, p.hidden);
  });
}

test('σ(x) = x with an orthogonal W_h: the gradient d steps back is exactly ρ^d times the first', () => {
  const r = computeLinear({ radius: 0.8, hidden: 8, steps: 20, whh: 'orthogonal', seed: 1 });
  r.gradNorm.forEach((g, d) => assert.ok(Math.abs(g / (r.gradNorm[0]! * 0.8 ** d) - 1) < 1e-9, `d = ${d}: ${g}`));
});

test('recur gradients --eigenvalues needs --json (one line, exit 2); the figure rejects a bad setting', () => {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'recur.js'), 'gradients', '--cell', 'rnn', '--hidden', '4', '--steps', '5', '--eigenvalues'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--eigenvalues adds the eigenvalues to the JSON output: give --json too/);
  assert.throws(() => computeLinear({ radius: 0.9, hidden: 0, steps: 60, whh: 'uniform', seed: 0 }), /H: expected an integer in 1…128, got 0/);
});

for (const forgetBias of [0, 1]) {
  test(`vanishing-gates = ${gatesCommand({ forgetBias, seed: 0 })}`, () => {
    const page = computeGates({ forgetBias, seed: 0 });
    const cli = recurJson(gatesCommand({ forgetBias, seed: 0 })) as { distance: number[]; series: { label: string; gradNorm: number[]; rate: number }[] };
    assert.deepEqual(page.distance, cli.distance);
    assert.deepEqual(page.series.map((s) => s.label), cli.series.map((s) => s.label));
    page.series.forEach((s, i) => {
      assert.deepEqual(s.gradNorm, cli.series[i]!.gradNorm, s.label);
      assert.equal(s.rate, cli.series[i]!.rate, s.label);
    });
  });
}

test('untrained LSTM: the gradient falls per step at about σ(b_f), the share of the cell its forget gate keeps', () => {
  const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
  const rates = [0, 1, 2].map((b) => computeGates({ forgetBias: b, seed: 0 }).series.find((s) => s.cell === 'lstm')!.rate!);
  rates.forEach((r, b) => assert.ok(Math.abs(r - sigmoid(b)) < 0.1, `b_f = ${b}: rate ${r}, σ = ${sigmoid(b)}`));
  assert.ok(rates[0]! < rates[1]! && rates[1]! < rates[2]!);
  // the tanh RNN does not depend on the LSTM's bias
  assert.deepEqual(computeGates({ forgetBias: 0, seed: 0 }).series[0]!.gradNorm, computeGates({ forgetBias: 2, seed: 0 }).series[0]!.gradNorm);
});
