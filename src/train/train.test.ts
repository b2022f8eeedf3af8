// Optimizers against torch.optim (fixture from tools/fixtures/make_optim_fixtures.py), clipping as
// the notes write it, and the learning-rate schedules.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ROOT } from '../../test/helpers.js';
import { jsKernels } from '../kernels/js/index.js';
import { clipByGlobalNorm, clipByValue, globalNorm } from './clip.js';
import { Optimizer, optimizerConfig, type OptimizerKind } from './optim.js';
import { learningRate } from './schedule.js';

interface Fixture { p0: number[]; grads: number[][]; cases: { kind: OptimizerKind; lr: number; config: object; steps: number[][] }[] }
const fixture = JSON.parse(readFileSync(`${ROOT}test/fixtures/optim.json`, 'utf8')) as Fixture;
const k = jsKernels('float64');

for (const c of fixture.cases) {
  test(`${c.kind} ${JSON.stringify(c.config)} follows torch.optim step by step`, () => {
    const opt = new Optimizer(optimizerConfig(c.kind, c.config), k, fixture.p0.length);
    const p = Float64Array.from(fixture.p0);
    fixture.grads.forEach((g, i) => {
      opt.update(p, Float64Array.from(g), c.lr);
      c.steps[i]!.forEach((want, j) => assert.ok(Math.abs(p[j]! - want) < 1e-12, `step ${i + 1}, element ${j}: ${p[j]} vs torch ${want}`));
    });
  });
}

test('clipping by global norm: g ← min(1, θ/‖g‖)·g, returning ‖g‖ before', () => {
  const g = Float64Array.from([3, 4]); // ‖g‖ = 5
  assert.equal(clipByGlobalNorm(g, 1), 5);
  assert.ok(Math.abs(globalNorm(g) - 1) < 1e-15);
  assert.ok(Math.abs(g[0]! - 0.6) < 1e-15 && Math.abs(g[1]! - 0.8) < 1e-15);
  const small = Float64Array.from([0.3, 0.4]);
  assert.equal(clipByGlobalNorm(small, 1), 0.5);
  assert.deepEqual(Array.from(small), [0.3, 0.4]); // under θ: unchanged
  const v = Float64Array.from([-3, 0.5, 2]);
  clipByValue(v, 1);
  assert.deepEqual(Array.from(v), [-1, 0.5, 1]);
});

test('schedules: warm-up, cosine to the floor, step decay', () => {
  const base = { lr: 1, warmup: 10, total: 110, minLr: 0.1, gamma: 0.5, stepEvery: 20 };
  assert.equal(learningRate({ ...base, kind: 'constant' }, 0), 0.1);
  assert.equal(learningRate({ ...base, kind: 'constant' }, 9), 1);
  assert.equal(learningRate({ ...base, kind: 'constant' }, 500), 1);
  assert.ok(Math.abs(learningRate({ ...base, kind: 'cosine' }, 10) - 1) < 1e-12);
  assert.ok(Math.abs(learningRate({ ...base, kind: 'cosine' }, 60) - 0.55) < 1e-12);
  assert.ok(Math.abs(learningRate({ ...base, kind: 'cosine' }, 110) - 0.1) < 1e-12);
  // past the end (a run extended with --epochs) it stays at the floor instead of climbing back
  assert.ok(Math.abs(learningRate({ ...base, kind: 'cosine' }, 210) - 0.1) < 1e-12);
  assert.ok(Math.abs(learningRate({ ...base, kind: 'cosine' }, 160) - 0.1) < 1e-12);
  assert.equal(learningRate({ ...base, kind: 'step' }, 29), 1);
  assert.equal(learningRate({ ...base, kind: 'step' }, 30), 0.5);
  assert.equal(learningRate({ ...base, kind: 'step' }, 55), 0.25);
});
