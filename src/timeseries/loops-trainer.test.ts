// The forecasting glue against hand-computed values. Loops: an AR(1) ŷ_t = φ y_{t−1} predicts k
// steps ahead φ^k y_{t−k}, and a closed loop from an origin never reads the truth after it (NaN
// there must not leak in). The k-step experiment: its naive baseline is y_{t−h} and its direct
// model reads lags shifted by h − 1. The open-loop trainer: the parameters it returns are those of
// the epoch with the lowest validation error, it stops after `patience` epochs without a better one,
// the learning rate follows the cosine to lr/10 it documents, and clipping bounds every Adam step.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jsKernels } from '../kernels/js/index.js';
import { Rng } from '../tensor/rng.js';
import { ArModel } from './ar.js';
import { chronologicalSplit } from './data.js';
import { plant } from './generators.js';
import { kStepExperiment } from './kstep.js';
import { closedLoop, kStepAhead, openLoop } from './loops.js';
import { Narx } from './narx.js';
import type { ModelOptions } from './pipeline.js';
import { fitOpenLoop, type FitOptions } from './trainer.js';

const k = jsKernels('float64');
const y = Float64Array.from({ length: 40 }, (_, t) => Math.sin(t / 3) + 0.1 * t);

test('loops on AR(1) without an intercept: open ŷ_t = φ y_{t−1}, k steps ahead φ^k y_{t−k}, closed φ^h y_{o−1}', () => {
  const phi = 0.8;
  const m = new ArModel({ lags: [1], trend: 'n' }, [phi]);
  const open = openLoop(m, y, undefined, 5, 12);
  open.forEach((v, i) => assert.ok(Math.abs(v - phi * y[4 + i]!) < 1e-15));
  for (const kk of [2, 3, 7]) {
    const p = kStepAhead(m, y, undefined, kk, 10, 30);
    p.forEach((v, i) => assert.ok(Math.abs(v - phi ** kk * y[10 + i - kk]!) < 1e-12, `k = ${kk}, t = ${10 + i}: ${v} vs ${phi ** kk * y[10 + i - kk]!}`));
  }
  // the truth after the origin is unknown to a closed loop: NaN there must not matter
  const hidden = Float64Array.from(y, (v, t) => (t >= 20 ? NaN : v));
  const closed = closedLoop(m, hidden, undefined, 20, 10);
  closed.forEach((v, h) => assert.ok(Math.abs(v - phi ** (h + 1) * y[19]!) < 1e-12, `h = ${h}: ${v}`));
});

test('loops on AR(2) with an intercept: the closed loop is the recursion written out', () => {
  const [c, a1, a2] = [0.3, 0.5, -0.2];
  const m = new ArModel({ lags: [1, 2], trend: 'c' }, [c, a1, a2]);
  const hidden = Float64Array.from(y, (v, t) => (t >= 25 ? NaN : v));
  const got = closedLoop(m, hidden, undefined, 25, 8);
  const r = [y[23]!, y[24]!];
  for (let h = 0; h < 8; h++) {
    const next = c + a1 * r[r.length - 1]! + a2 * r[r.length - 2]!;
    r.push(next);
    assert.ok(Math.abs(got[h]! - next) < 1e-12, `h = ${h}`);
  }
});

const BASE: ModelOptions = {
  kind: 'ar', log: false, lags: 3, trend: 'c', ic: undefined, maxLag: 12, inputDelays: [1], feedbackDelays: [1, 2], hiddenLayers: [4],
  hidden: 4, layers: 1, window: 8, mode: 'seq2seq', delays: 2, burnIn: 2,
  fit: { epochs: 5, batch: 16, lr: 0.01, clip: 1, weightDecay: 0, patience: 0, seed: 0 },
};

test('k-step experiment: the naive baseline is y_{t−h}, the direct model reads lags h … h+p−1', () => {
  const series = { target: 'y', y: Float64Array.from({ length: 120 }, (_, t) => Math.sin(t / 4) + 0.02 * t), exogNames: [], exog: undefined };
  const split = chronologicalSplit(120, 30, 10);
  const r = kStepExperiment(series, BASE, split, [1, 4, 9], k);
  for (const [i, h] of [1, 4, 9].entries()) {
    let se = 0;
    for (let t = split.valEnd; t < 120; t++) se += (series.y[t]! - series.y[t - h]!) ** 2;
    assert.ok(Math.abs(r.naive[i]!.rmse - Math.sqrt(se / 30)) < 1e-12, `h = ${h}: naive RMSE ${r.naive[i]!.rmse} vs ${Math.sqrt(se / 30)}`);
    assert.deepEqual(r.open[i]!.delays, [h, h + 1, h + 2]);
  }
});

function narxFit(o: Partial<FitOptions>) {
  const p = plant(160, 3);
  const u = p.columns.u!, yy = p.columns.y!;
  const model = new Narx({ exogSize: 1, inputDelays: [1], feedbackDelays: [1, 2], hidden: [5] }, k, new Rng(1));
  const start = Float64Array.from(model.params.data);
  const fit: FitOptions = { epochs: 30, batch: 16, lr: 0.05, clip: 1, weightDecay: 0, patience: 0, seed: 2, ...o };
  const report = fitOpenLoop(model, k, yy, u, 100, 130, fit);
  return { model, report, start, u, y: yy, fit };
}

test('open-loop training keeps the parameters of the epoch with the lowest validation error', () => {
  const { model, report, u, y: yy } = narxFit({ lr: 0.2 });
  const val = report.history.map((h) => h.valLoss!);
  const best = val.indexOf(Math.min(...val));
  assert.ok(best < val.length - 1, `the premise: some later epoch is worse than the best (${val.map((v) => v.toFixed(4)).join(' ')})`);
  assert.equal(report.bestEpoch, best + 1);
  assert.equal(report.valLoss, val[best]);
  // the returned model, scored again here, has the best epoch's validation error
  const p = openLoop(model, yy, u, 100, 130);
  let se = 0;
  for (let i = 0; i < p.length; i++) se += (p[i]! - yy[100 + i]!) ** 2;
  assert.ok(Math.abs(se / p.length - val[best]!) < 1e-12, `the model returned scores ${se / p.length}, the best epoch ${val[best]}`);
});

test('open-loop training stops after `patience` epochs without a better validation error', () => {
  const free = narxFit({ lr: 0.2 }).report.history.map((h) => h.valLoss!);
  for (const patience of [1, 2, 4]) {
    let best = Infinity, bad = 0, stop = free.length;
    for (const [i, v] of free.entries()) { if (v < best) { best = v; bad = 0; } else if (++bad >= patience) { stop = i + 1; break; } }
    const r = narxFit({ lr: 0.2, patience }).report;
    assert.equal(r.epochs, stop, `patience ${patience}: ${r.epochs} epochs, the rule says ${stop} (${free.map((v) => v.toFixed(4)).join(' ')})`);
  }
});

test('open-loop training: cosine from lr to lr/10 over every step; clipping bounds the Adam steps', () => {
  const { report, fit } = narxFit({ epochs: 6 });
  const perEpoch = Math.ceil(Math.floor(100 - 2) / 16); // targets t = 2 … 99 (the largest delay is 2)
  const total = 6 * perEpoch, lo = fit.lr / 10;
  report.history.forEach((h, e) => {
    const s = (e + 1) * perEpoch - 1; // the epoch's last step
    const lr = lo + 0.5 * (fit.lr - lo) * (1 + Math.cos((Math.PI * s) / total));
    assert.ok(Math.abs(h.lr - lr) < 1e-15, `epoch ${e + 1}: lr ${h.lr}, expected ${lr}`);
  });
  // Adam moves each parameter by about lr·m̂/(√v̂ + ε): with every gradient clipped to a norm of
  // 1e-13, |ĝ| ≤ 1e-13 ≪ ε = 1e-8, so a step is at most lr·1e-13/1e-8 = lr·1e-5
  const { model, start } = narxFit({ epochs: 2, clip: 1e-13 });
  let moved = 0;
  for (let i = 0; i < start.length; i++) moved = Math.max(moved, Math.abs(model.params.data[i]! - start[i]!));
  const steps = 2 * perEpoch;
  assert.ok(moved <= steps * 0.05 * 1.1e-5, `clipped to 1e-13, a parameter still moved ${moved}`);
  const free = narxFit({ epochs: 2, clip: 0 });
  let freeMoved = 0;
  for (let i = 0; i < free.start.length; i++) freeMoved = Math.max(freeMoved, Math.abs(free.model.params.data[i]! - free.start[i]!));
  assert.ok(freeMoved > 100 * moved && freeMoved > 0.01, `unclipped, the largest move is ${freeMoved}`);
});
