// d2l's two partitionings checked against their definitions on a corpus of consecutive integers,
// where a token's value is its position: the random offsets cover exactly [0, T] (sequential) and
// [0, T − 1] (random), rows are ⌊(n − offset − 1)/B⌋ long, every subsequence is used, and the shuffle
// is uniform (each subsequence equally likely at each place, the identity order included).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../tensor/rng.js';
import { epochBatches } from './batches.js';

const corpus = (n: number) => Int32Array.from({ length: n }, (_, i) => i);

test('sequential: offset uniform on 0..T, rows ⌊(n − offset − 1)/B⌋ apart, ⌊row/T⌋ minibatches', () => {
  const n = 203, B = 4, T = 6;
  const seen = new Array<number>(T + 2).fill(0);
  for (let seed = 0; seed < 1400; seed++) {
    const batches = [...epochBatches(corpus(n), B, T, 'sequential', new Rng(seed))];
    const offset = batches[0]!.inputs[0]!;
    assert.ok(offset >= 0 && offset <= T, `offset ${offset} outside 0..${T}`);
    seen[offset]!++;
    const row = Math.floor((n - offset - 1) / B);   // d2l: num_tokens = ((len − offset − 1) // B) * B
    assert.equal(batches.length, Math.floor(row / T), `offset ${offset}`);
    batches.forEach((mb, i) => {
      for (let b = 0; b < B; b++) {
        for (let t = 0; t < T; t++) {
          assert.equal(mb.inputs[t * B + b], offset + b * row + i * T + t);
          assert.equal(mb.targets[t * B + b], offset + b * row + i * T + t + 1);
        }
      }
    });
  }
  for (let v = 0; v <= T; v++) assert.ok(Math.abs(seen[v]! / 1400 - 1 / (T + 1)) < 0.04, `offset ${v} drawn ${seen[v]} times of 1400`);
});

test('random: offset uniform on 0..T−1, every subsequence ⌊(n − offset − 1)/T⌋ used once, uniformly shuffled', () => {
  const n = 27, T = 5, B = 1;
  const runs = 6000;
  const offsets = new Array<number>(T + 1).fill(0);
  // count[p][j]: how often the subsequence j (starting at offset + jT) is the p-th minibatch
  const count = Array.from({ length: 5 }, () => new Array<number>(5).fill(0));
  let identity = 0, four = 0;
  for (let seed = 0; seed < runs; seed++) {
    const starts = [...epochBatches(corpus(n), B, T, 'random', new Rng(seed))].map((mb) => mb.inputs[0]!);
    const offset = Math.min(...starts);
    assert.ok(offset >= 0 && offset < T, `offset ${offset} outside 0..${T - 1}`);
    offsets[offset]!++;
    const c = Math.floor((n - offset - 1) / T);
    assert.equal(starts.length, c, `offset ${offset}: ${starts.length} subsequences, d2l has ${c}`);
    assert.deepEqual([...starts].sort((a, b) => a - b), Array.from({ length: c }, (_, j) => offset + j * T));
    if (c === 4) {
      four++;
      starts.forEach((s, p) => count[p]![(s - offset) / T]!++);
      if (starts.every((s, p) => s === offset + p * T)) identity++;
    }
  }
  for (let v = 0; v < T; v++) assert.ok(Math.abs(offsets[v]! / runs - 1 / T) < 0.03, `offset ${v}: ${offsets[v]} of ${runs}`);
  for (let p = 0; p < 4; p++) for (let j = 0; j < 4; j++) {
    assert.ok(Math.abs(count[p]![j]! / four - 0.25) < 0.05, `subsequence ${j} at place ${p}: ${count[p]![j]} of ${four}`);
  }
  assert.ok(Math.abs(identity / four - 1 / 24) < 0.025, `the unshuffled order came ${identity} times of ${four}; a uniform shuffle gives 1/24`);
});
