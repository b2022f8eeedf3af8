// The benchmark workload without timings: it learns (loss falls under SGD), its FLOP count is the
// table's formula, and `recur bench --json` prints the keys that bench/run.mjs reads.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../../test/helpers.js';
import { jsKernels } from '../kernels/js/index.js';
import { BenchWorkload, flopsPerToken, forwardFlopsPerToken, measure } from './bench-workload.js';

for (const cell of ['lstm', 'gru', 'rnn'] as const) {
  test(`bench workload: ${cell} loss falls over a few SGD steps`, () => {
    const w = new BenchWorkload({ cell, hidden: 8, vocab: 6, batch: 4, steps: 5, batches: 1, lr: 0.5, seed: 7 }, jsKernels('float64'));
    const before = w.inferStep();
    const losses = Array.from({ length: 12 }, () => w.trainStep());
    assert.equal(losses[0], before, 'the first training step sees the weights infer saw');
    const after = w.inferStep();
    assert.ok(after < before - 0.05, `loss ${before} → ${after}: ${losses.map((l) => l.toFixed(3)).join(' ')}`);
  });
}

test('bench workload: FLOPs per token by hand', () => {
  // LSTM H=256, V=64: 2·4·256·(64+256) + 2·64·256 = 655360 + 32768
  assert.equal(forwardFlopsPerToken({ cell: 'lstm', hidden: 256, vocab: 64 }), 688128);
  assert.equal(flopsPerToken({ cell: 'lstm', hidden: 256, vocab: 64 }, 'train'), 3 * 688128);
  assert.equal(flopsPerToken({ cell: 'lstm', hidden: 256, vocab: 64 }, 'generate'), 688128);
  // GRU H=256: 2·3·256·320 + 32768 = 491520 + 32768; RNN: 2·256·320 + 32768 = 163840 + 32768
  assert.equal(forwardFlopsPerToken({ cell: 'gru', hidden: 256, vocab: 64 }), 524288);
  assert.equal(flopsPerToken({ cell: 'rnn', hidden: 256, vocab: 64 }, 'infer'), 196608);
  // LSTM H=64: 2·4·64·128 + 2·64·64 = 65536 + 8192
  assert.equal(forwardFlopsPerToken({ cell: 'lstm', hidden: 64, vocab: 64 }), 73728);
  // and it is twice the model's weight-matrix elements (all parameters but the biases)
  for (const cell of ['lstm', 'gru', 'rnn'] as const) {
    const w = new BenchWorkload({ cell, hidden: 5, vocab: 3, batch: 1, steps: 1 }, jsKernels('float32'));
    const weights = w.model.params.list.filter((p) => p.shape.length === 2).reduce((n, p) => n + p.size, 0);
    assert.equal(forwardFlopsPerToken({ cell, hidden: 5, vocab: 3 }), 2 * weights, cell);
  }
});

test('bench workload: generate samples valid tokens, reproducibly, and measure reports its counts', () => {
  const make = () => new BenchWorkload({ cell: 'gru', hidden: 6, vocab: 5, batch: 2, steps: 3, seed: 3 }, jsKernels('float32'));
  const a = make(), b = make();
  const sa = Array.from({ length: 20 }, () => a.generateStep());
  const sb = Array.from({ length: 20 }, () => b.generateStep());
  assert.deepEqual(sa, sb);
  assert.ok(sa.every((t) => Number.isInteger(t) && t >= 0 && t < 5));
  let clock = 0;
  const r = measure(make(), 'train', { warmupSeconds: 0, seconds: 0.005, minCalls: 3, now: () => (clock += 1) });
  assert.equal(r.tokens, r.calls * 2 * 3);
  assert.ok(r.calls >= 3 && r.tokensPerSecond > 0 && Number.isFinite(r.gflops) && Number.isFinite(r.loss));
});

test('recur bench --json prints one object with the required keys', () => {
  const p = spawnSync(process.execPath, [join(ROOT, 'bin', 'recur.js'), 'bench', '--json', '--seconds', '0.2', '--warmup', '0.05',
    '--hidden', '16'], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(p.status, 0, p.stderr);
  const r = JSON.parse(p.stdout) as Record<string, unknown>;
  for (const key of ['tokensPerSecond', 'gflops', 'backend', 'threads', 'cell', 'hidden', 'mode', 'batch', 'steps', 'vocab']) {
    assert.ok(key in r, `missing ${key} in ${p.stdout}`);
  }
  assert.equal(r.cell, 'lstm');
  assert.equal(r.hidden, 16);
  assert.equal(r.mode, 'train');
  assert.ok(typeof r.backend === 'string' && r.backend !== '');
  assert.ok(typeof r.tokensPerSecond === 'number' && r.tokensPerSecond > 0);
  assert.ok(typeof r.threads === 'number' && r.threads >= 1);
});

test('recur bench: a bad option is a usage error (exit 2)', () => {
  const p = spawnSync(process.execPath, [join(ROOT, 'bin', 'recur.js'), 'bench', '--cell', 'transformer'], { encoding: 'utf8' });
  assert.equal(p.status, 2);
  assert.match(p.stderr, /^recur bench: --cell: expected one of lstm, gru, rnn, got "transformer"/);
});
