// Sampling: greedy is argmax; top-k 1 and a tiny top-p are greedy; a draw follows the softmax at
// the temperature; the same seed gives the same tokens.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../tensor/rng.js';
import { argmax, checkSamplingOptions, sampleToken } from './sample.js';

const logits = Float64Array.from([0.5, 2, -1, 1.5]);

test('greedy, top-k 1 and top-p → 0 all pick the argmax', () => {
  const rng = new Rng(1);
  assert.equal(argmax(logits), 1);
  assert.equal(sampleToken(logits, { greedy: true }, rng), 1);
  for (let i = 0; i < 50; i++) {
    assert.equal(sampleToken(logits, { topK: 1 }, rng), 1);
    assert.equal(sampleToken(logits, { topP: 1e-6 }, rng), 1);
  }
});

test('draws follow softmax(logits / temperature), and top-k 2 keeps only the two best', () => {
  for (const temperature of [1, 0.5]) {
    const rng = new Rng(7);
    const counts = [0, 0, 0, 0];
    const n = 40000;
    for (let i = 0; i < n; i++) counts[sampleToken(logits, { temperature }, rng)]!++;
    const z = Array.from(logits, (l) => Math.exp(l / temperature));
    const sum = z.reduce((a, b) => a + b);
    counts.forEach((c, i) => assert.ok(Math.abs(c / n - z[i]! / sum) < 0.01, `token ${i}: ${c / n} vs ${z[i]! / sum}`));
  }
  const rng = new Rng(8);
  for (let i = 0; i < 200; i++) assert.ok([1, 3].includes(sampleToken(logits, { topK: 2 }, rng)));
});

test('the same seed gives the same tokens; bad options are refused', () => {
  const draw = (seed: number) => { const r = new Rng(seed); return Array.from({ length: 20 }, () => sampleToken(logits, { topP: 0.9 }, r)); };
  assert.deepEqual(draw(5), draw(5));
  assert.throws(() => checkSamplingOptions({ temperature: 0 }), /--temperature: expected a number > 0/);
  assert.throws(() => checkSamplingOptions({ topP: 1.5 }), /--top-p: expected a number in \(0, 1\]/);
  assert.throws(() => checkSamplingOptions({ topK: 2.5 }), /--top-k: expected an integer/);
});
