// Models that must actually learn (seeded, so deterministic): a NARX identifies Narendra's plant
// y_t = y_{t−1}/(1 + y_{t−1}²) + u_{t−1}³ in open loop and holds up in closed loop; an LSTM
// forecaster learns d2l's noisy sine one step ahead down near the noise floor (σ = 0.2). Then
// checkpoints: a saved model loads and predicts exactly the same, and bad files are one-line errors.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RecurError } from '../errors.js';
import { serializeSafetensors, parseSafetensors } from '../format/safetensors.js';
import { jsKernels, loadKernels } from '../kernels/index.js';
import { chronologicalSplit } from './data.js';
import { plant, sine } from './generators.js';
import { forecasterFile, loadForecaster } from './model-file.js';
import { runForecast, type ModelOptions, type SeriesInput } from './pipeline.js';

const BASE: ModelOptions = {
  kind: 'narx', log: false, lags: 4, trend: 'c', ic: undefined, maxLag: 12, inputDelays: [1], feedbackDelays: [1], hiddenLayers: [8],
  hidden: 8, layers: 1, window: 8, mode: 'seq2seq', delays: 2, burnIn: 2,
  fit: { epochs: 80, batch: 16, lr: 0.02, clip: 1, weightDecay: 0, patience: 0, seed: 0 },
};

const plantSeries = (): SeriesInput => { const p = plant(500, 1); return { target: 'y', y: p.columns.y!, exogNames: ['u'], exog: p.columns.u! }; };
const sineSeries = (): SeriesInput => ({ target: 'x', y: sine(600, 0).columns.x!, exogNames: [], exog: undefined });

test('NARX learns a Narendra plant: NRMSE < 0.05 one step ahead (open loop) and < 0.06 free-running (closed loop)', () => {
  const k = jsKernels('float64');
  const r = runForecast(plantSeries(), BASE, chronologicalSplit(500, 100, 50), 1, 0, k);
  assert.ok(r.scores.open.model.nrmse < 0.05, `open ${r.scores.open.model.nrmse}`);
  assert.ok(r.scores.closed.model.nrmse < 0.06, `closed ${r.scores.closed.model.nrmse}`);
  assert.ok(r.scores.open.naive.nrmse > 0.8, 'the naive baseline is far worse');
});

test('an LSTM forecaster learns the noisy sine one step ahead: RMSE < 0.24 (noise σ = 0.2; naive ≈ 0.29)', async () => {
  const k = await loadKernels();
  const r = runForecast(sineSeries(), { ...BASE, kind: 'lstm', fit: { ...BASE.fit, epochs: 15, lr: 0.01, batch: 32 } }, chronologicalSplit(600, 100, 0), 1, 0, k);
  assert.ok(r.scores.open.model.rmse < 0.24, `open ${r.scores.open.model.rmse}`);
  assert.ok(r.scores.open.model.rmse < r.scores.open.naive.rmse - 0.04);
});

test('checkpoints: AR, NARX, TDNN and GRU forecasters save and load with their config and predict the same', () => {
  const k = jsKernels('float32');
  const cases: [SeriesInput, ModelOptions][] = [
    [sineSeries(), { ...BASE, kind: 'ar', lags: [1, 3, 2], log: false }],
    [plantSeries(), { ...BASE, fit: { ...BASE.fit, epochs: 2 } }],
    [plantSeries(), { ...BASE, kind: 'tdnn', hidden: 4, layers: 2, delays: 2, window: 7, burnIn: 4, fit: { ...BASE.fit, epochs: 2 } }],
    [sineSeries(), { ...BASE, kind: 'gru', hidden: 4, fit: { ...BASE.fit, epochs: 2 } }],
  ];
  for (const [series, o] of cases) {
    const r = runForecast(series, o, chronologicalSplit(series.y.length, 50, 20), 1, 0, k);
    const { tensors, metadata } = forecasterFile(r.forecaster, { 'recur.data': '{}' });
    const loaded = loadForecaster(parseSafetensors(serializeSafetensors(tensors, metadata)), 'file', k);
    assert.deepEqual(loaded.config, JSON.parse(JSON.stringify(r.forecaster.config)));
    const n = series.y.length;
    const a = r.forecaster.predictClosed(series.y, series.exog, n - 40, 40);
    const b = loaded.predictClosed(series.y, series.exog, n - 40, 40);
    assert.deepEqual(b, a, o.kind);
  }
});

test('checkpoints: a file that is not a forecaster, or whose tensors do not fit its config, is a one-line error', () => {
  const k = jsKernels('float32');
  const r = runForecast(sineSeries(), { ...BASE, kind: 'ar', lags: 2 }, chronologicalSplit(600, 50, 0), 1, 0, k);
  const { tensors, metadata } = forecasterFile(r.forecaster);
  const bad = (meta: Record<string, string>, t = tensors) => () => loadForecaster(parseSafetensors(serializeSafetensors(t, meta)), 'm.safetensors', k);
  assert.throws(bad({}), /m\.safetensors: no "recur\.config"/);
  assert.throws(bad({ 'recur.config': '{"model":"lm"}' }), /expected a forecaster checkpoint \("model": "forecast"\), got "lm"/);
  const config = JSON.parse(metadata['recur.config']!) as Record<string, unknown>;
  assert.throws(bad({ 'recur.config': JSON.stringify({ ...config, ar: { lags: [1, 2, 3], trend: 'c' } }) }), /tensor "ar\.params": expected shape \(4\), got \(3\)/);
  assert.throws(bad({ 'recur.config': JSON.stringify({ ...config, normalization: { log: false, target: { mean: 0, std: 0 }, exog: [] } }) }), /normalization\.target/);
  // a NARX config whose delays or hidden sizes are not lists (found by test/cli-fuzz.test.ts)
  const narx = runForecast(sineSeries(), { ...BASE, fit: { ...BASE.fit, epochs: 1 } }, chronologicalSplit(600, 50, 20), 1, 0, k);
  const n = forecasterFile(narx.forecaster);
  const narxConfig = JSON.parse(n.metadata['recur.config']!) as { narx: Record<string, unknown> };
  for (const [key, value] of [['inputDelays', 2], ['feedbackDelays', '1'], ['hidden', null]] as const) {
    const meta = { 'recur.config': JSON.stringify({ ...narxConfig, narx: { ...narxConfig.narx, [key]: value } }) };
    assert.throws(bad(meta, n.tensors), (e: Error) => e instanceof RecurError && new RegExp(`narx: ${key} must be a list`).test(e.message), key);
  }
});
