// The vanishing section's figure computes what `recur gradients` prints: the same gradient norms,
// spectral radius and eigenvalues of W_h for the same settings (the command the figure shows).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { computeGates, computeLinear, computeTrained, gatesCommand, linearCommand, trainedCommand, type LinearParams } from '../../web/src/notes/sections/vanishing/compute.js';
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

test(`vanishing-trained = ${trainedCommand({ steps: 20, forgetBias: 0, seed: 0 })}`, () => {
  const p = { steps: 20, forgetBias: 0, seed: 0 };
  const page = computeTrained(p);
  const lines = recurJsonLines(trainedCommand(p));
  for (const run of page.runs) {
    const evals = lines.filter((l) => l.event === 'eval' && l.run === run.cell);
    const end = lines.find((l) => l.event === 'end' && l.run === run.cell)!;
    assert.deepEqual(run.step, evals.map((l) => l.step), run.cell);
    assert.deepEqual(run.valLoss, evals.map((l) => l.valLoss), run.cell);
    assert.deepEqual(run.flow, end.flow, run.cell);
    // the eval lines carry the flow measured there: at 200 and 400
    assert.deepEqual(evals.filter((l) => l.flow !== undefined).map((l) => (l.flow as { step: number }).step), [200, 400]);
    assert.deepEqual(run.flow.map((f) => f.step), [0, 200, 400]);
    run.flow.forEach((f) => assert.equal(f.gradNorm.length, 20));
  }
  // what the figure says: the LSTM learns and its gradient from 19 steps back grows; the RNN's stays tiny
  const [rnn, lstm] = page.runs;
  const reach = (f: { gradNorm: number[] }) => f.gradNorm[19]! / f.gradNorm[0]!;
  assert.ok(lstm.finalValLoss < 0.02 && rnn.finalValLoss > 0.15, `LSTM ${lstm.finalValLoss}, RNN ${rnn.finalValLoss}`);
  assert.ok(reach(lstm.flow[2]!) > 10 * reach(lstm.flow[0]!), `LSTM ${reach(lstm.flow[0]!)} → ${reach(lstm.flow[2]!)}`);
  assert.ok(reach(lstm.flow[2]!) > 100 * reach(rnn.flow[2]!));
});

test('--flow-every measures without changing the training; a step count that is not a multiple of --eval-every is refused', () => {
  const base = 'recur task adding --cell lstm --steps 6 --hidden 4 --batch 4 --budget 20 --eval-every 10 --val-size 8 --keep-going --backend js --json';
  const plain = recurJsonLines(base), flow = recurJsonLines(`${base} --flow-every 10`);
  const losses = (ls: Record<string, unknown>[]) => ls.filter((l) => l.event === 'eval').map((l) => l.valLoss);
  assert.deepEqual(losses(flow), losses(plain));
  assert.equal(plain.find((l) => l.event === 'end')!.flow, undefined);
  assert.deepEqual((flow.find((l) => l.event === 'end')!.flow as { step: number }[]).map((f) => f.step), [0, 10, 20]);
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'recur.js'), 'task', 'adding', '--cell', 'rnn', '--steps', '5', '--flow-every', '150'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--flow-every: expected a multiple of --eval-every \(100\)/);
});

/** Every JSON line a `recur …` command prints. */
function recurJsonLines(command: string): Record<string, unknown>[] {
  const words = command.split(' ').slice(1);
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'recur.js'), ...words], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
}
