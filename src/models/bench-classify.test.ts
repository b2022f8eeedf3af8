// The variable-length benchmark workload without timings: it learns, it counts real tokens, it runs
// its padded batches on the fused loops (with the same results as the step loops), its FLOP count is
// the formula by hand, and `recur bench --mode classify --json` prints what bench/run.mjs reads.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { countingFusedCalls, ROOT } from '../../test/helpers.js';
import { jsKernels } from '../kernels/js/index.js';
import type { Kernels } from '../kernels/types.js';
import { loadWasmKernels } from '../kernels/wasm/index.js';
import { classifyFlopsPerToken, ClassifyWorkload, type ClassifyOptions } from './bench-classify.js';

const SMALL: ClassifyOptions = {
  cell: 'gru', hidden: 8, layers: 2, input: 3, classes: 3, batch: 6, minLength: 2, maxLength: 7, batches: 1, lr: 0.5, seed: 3,
};

test('classify workload: the loss falls, and each step counts its real tokens', () => {
  const w = new ClassifyWorkload(SMALL, jsKernels('float64'));
  const steps = Array.from({ length: 25 }, () => w.trainStep());
  const tokens = steps[0]!.tokens;
  assert.ok(tokens >= 6 * 2 && tokens <= 6 * 7, `Σ lengths ${tokens} within B·min..B·max`);
  assert.ok(steps.every((s) => s.tokens === tokens), 'one batch, cycled');
  assert.ok(steps[24]!.loss < steps[0]!.loss - 0.1, `loss ${steps[0]!.loss} → ${steps[24]!.loss}`);
});

test('classify workload: padded batches run on the fused loops, with the step loops\' results', async () => {
  const k = await loadWasmKernels({ threads: 2, cores: 2, split: { gemmFlops: 0, elements: 0, tune: false } });
  try {
    const counted = countingFusedCalls(k);
    const fused = counted.kernels;
    const steps = Object.assign(Object.create(k) as Kernels, { sequence: undefined });
    const o = { ...SMALL, batch: 19, batches: 3 };
    const a = new ClassifyWorkload(o, fused), b = new ClassifyWorkload(o, steps);
    for (let i = 0; i < 4; i++) assert.deepEqual(a.trainStep(), b.trainStep(), `step ${i}`);
    assert.deepEqual(Float64Array.from(a.params.data), Float64Array.from(b.params.data), 'the weights after 4 steps');
    // per step: 2 layers × (forward + backward)
    assert.equal(counted.withLengths(), 4 * 4, 'every recurrence got the lengths');
  } finally {
    k.dispose();
  }
});

test('classify workload: FLOPs per real token by hand', () => {
  // GRU H=128, I=32, 2 layers: 2·384·(32+128) + 2·384·256 = 122880 + 196608
  assert.equal(classifyFlopsPerToken({ cell: 'gru', hidden: 128, layers: 2, input: 32 }), 319488);
  // LSTM H=4, I=2, 1 layer: 2·16·6 = 192
  assert.equal(classifyFlopsPerToken({ cell: 'lstm', hidden: 4, layers: 1, input: 2 }), 192);
});

test('recur bench --mode classify --json: the keys bench/run.mjs reads; bad lengths are a usage error', () => {
  const bin = join(ROOT, 'bin', 'recur.js');
  const ok = spawnSync(process.execPath, [bin, 'bench', '--mode', 'classify', '--json', '--hidden', '8', '--batch', '5',
    '--input', '3', '--min-length', '2', '--max-length', '6', '--seconds', '0.05', '--warmup', '0', '--threads', '1'], { encoding: 'utf8' });
  assert.equal(ok.status, 0, ok.stderr);
  const r = JSON.parse(ok.stdout);
  assert.equal(r.mode, 'classify');
  assert.equal(r.cell, 'gru');
  assert.equal(r.layers, 2);
  assert.ok(r.tokensPerSecond > 0 && r.tokens >= r.calls * 5 * 2 && r.tokens <= r.calls * 5 * 6, JSON.stringify(r));
  const bad = spawnSync(process.execPath, [bin, 'bench', '--mode', 'classify', '--min-length', '9', '--max-length', '4'], { encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr.split('\n')[0]!, /^recur bench: --min-length: expected at most --max-length \(4\), got 9$/);
});
