// Sequences as users hold them → padded time-major batches: layout, labels, shuffling, bucketing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RecurError } from '../errors.js';
import { IGNORE_INDEX, padSequences, SequenceData } from './sequences.js';

test('padSequences: time-major (T,B,F) with zeros after each length; batch-first (B,T,F); token ids', () => {
  const x = padSequences([[[1, 2], [3, 4], [5, 6]], [[7, 8]]]);
  assert.deepEqual(x.shape, [3, 2, 2]);
  assert.deepEqual(Array.from(x.lengths!), [3, 1]);
  assert.deepEqual(Array.from(x.data), [1, 2, 7, 8, 3, 4, 0, 0, 5, 6, 0, 0]);
  const bf = padSequences([[[1, 2], [3, 4], [5, 6]], [[7, 8]]], { batchFirst: true, dtype: 'float64' });
  assert.deepEqual(bf.shape, [2, 3, 2]);
  assert.ok(bf.data instanceof Float64Array);
  assert.deepEqual(Array.from(bf.data), [1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0]);
  const ids = padSequences([[4, 5], [6]], { tokens: true });
  assert.deepEqual(ids.shape, [2, 2]);
  assert.deepEqual(Array.from(ids.tokens), [4, 6, 5, 0]);
  const scalars = padSequences([Float32Array.from([1, 2, 3])]);
  assert.deepEqual(scalars.shape, [3, 1, 1]);
});

test('bad sequences are one-line messages', () => {
  const cases: [() => unknown, RegExp][] = [
    [() => padSequences([]), /expected at least one sequence/],
    [() => padSequences([[1], []]), /sequence 1: expected at least one step/],
    [() => padSequences([[[1, 2]], [[1, 2, 3]]]), /sequence 1: expected 2 features per step \(as sequence 0\), got 3/],
    [() => padSequences([[1, NaN]]), /sequence 0, step 1: expected a finite number, got NaN/],
    [() => padSequences([[1, 2.5]], { tokens: true }), /expected a token id/],
    [() => new SequenceData([[1], [2]], [0]), /one label per sequence, got 2 sequences and 1 labels/],
    [() => new SequenceData([[1, 2], [2]], [[0, 1], [1, 1]]), /label 1: expected 1 values \(one per step of sequence 1\), got 2/],
    [() => new SequenceData([[1], [2]], [0, 1.5]).batches(), /label 1: expected a class id/],
    [() => new SequenceData([[1]], [0], { batchSize: 0 }), /batchSize must be a positive integer, got 0/],
  ];
  for (const [f, re] of cases) assert.throws(f, (e: unknown) => e instanceof RecurError && re.test(e.message) && !e.message.includes('\n'));
});

const lengths = Array.from({ length: 100 }, (_, i) => 1 + ((i * 37) % 50));
const inputs = lengths.map((n, i) => Array.from({ length: n }, () => i));

test('an epoch holds every sequence once; the order is seeded by seed and epoch', () => {
  const data = new SequenceData(inputs, inputs.map((_, i) => i % 3), { batchSize: 16, seed: 5 });
  const e0 = data.order(0), e1 = data.order(1);
  for (const order of [e0, e1]) assert.deepEqual(order.flat().sort((a, b) => a - b), inputs.map((_, i) => i));
  assert.equal(e0.length, 7);
  assert.equal(data.batchCount, 7);
  assert.notDeepEqual(e0.flat(), e1.flat(), 'a new order each epoch');
  assert.deepEqual(new SequenceData(inputs, inputs.map(() => 0), { batchSize: 16, seed: 5 }).order(1), e1, 'the same seed, the same order');
  assert.notDeepEqual(new SequenceData(inputs, inputs.map(() => 0), { batchSize: 16, seed: 6 }).order(0).flat(), e0.flat());
  assert.deepEqual(new SequenceData(inputs, inputs.map(() => 0), { batchSize: 16, shuffle: false }).order(3).flat(), inputs.map((_, i) => i));
  // every batch's rows carry their own values and labels
  for (const b of data.batches(2)) {
    const x = b.x as { data: Float32Array; shape: number[]; lengths: Int32Array };
    const B = x.shape[1]!;
    for (let r = 0; r < B; r++) {
      const id = x.data[r]!;
      assert.equal(x.lengths[r], lengths[id]);
      assert.equal(b.y[r], id % 3);
    }
  }
});

test('bucketing batches similar lengths together: far less padding, still every sequence once', () => {
  const padding = (d: SequenceData) => d.order(0).reduce((s, rows) => {
    const L = rows.map((i) => lengths[i]!);
    return s + rows.length * Math.max(...L) - L.reduce((a, b) => a + b);
  }, 0);
  const plain = new SequenceData(inputs, inputs.map(() => 0), { batchSize: 10, seed: 1 });
  const bucketed = new SequenceData(inputs, inputs.map(() => 0), { batchSize: 10, seed: 1, bucket: true });
  assert.deepEqual(bucketed.order(0).flat().sort((a, b) => a - b), inputs.map((_, i) => i));
  assert.ok(padding(bucketed) * 4 < padding(plain), `padding ${padding(bucketed)} vs ${padding(plain)}`);
});

test('per-step labels: (T,B) time-major, padded steps ignored; value labels as vectors', () => {
  const data = new SequenceData([[1, 2, 3], [4]], [[0, 1, 2], [3]], { shuffle: false, tokens: true });
  const [b] = data.batches();
  assert.ok(data.perStep);
  assert.deepEqual(Array.from(b!.y), [0, 3, 1, IGNORE_INDEX, 2, IGNORE_INDEX]);
  const values = new SequenceData([[1, 2], [3]], [[0.5, 1.5], [2, 3]], { shuffle: false, labels: 'values' });
  assert.equal(values.perStep, false);
  assert.deepEqual(Array.from(values.batches()[0]!.y), [0.5, 1.5, 2, 3]);
});
