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

/** The distribution the options should draw from, computed the plain way: softmax at the
 *  temperature, sorted, the top k kept and renormalised, then the smallest prefix whose share
 *  reaches p kept and renormalised again. */
function reference(l: ArrayLike<number>, o: { temperature?: number; topK?: number; topP?: number }): number[] {
  const T = o.temperature ?? 1;
  const e = Array.from(l, (v) => Math.exp(v / T));
  const z = e.reduce((a, b) => a + b);
  const ranked = e.map((v, i) => ({ i, q: v / z })).sort((a, b) => b.q - a.q || a.i - b.i);
  let kept = o.topK ? ranked.slice(0, o.topK) : ranked;
  let mass = kept.reduce((s, r) => s + r.q, 0);
  if (o.topP !== undefined && o.topP < 1) {
    let cum = 0;
    const nucleus = [];
    for (const r of kept) { nucleus.push(r); cum += r.q / mass; if (cum >= o.topP) break; }
    kept = nucleus;
    mass = kept.reduce((s, r) => s + r.q, 0);
  }
  const out = new Array<number>(l.length).fill(0);
  for (const r of kept) out[r.i] = r.q / mass;
  return out;
}

test('top-p draws from the renormalised nucleus, alone, with a temperature and after top-k', () => {
  // softmax(logits) ≈ [0.119, 0.532, 0.026, 0.323]: p = 0.8 keeps tokens 1 and 3 (0.62 / 0.38),
  // p = 0.9 keeps 1, 3 and 0; a top-p that did not divide by the kept mass would be greedy
  const cases = [{ topP: 0.8 }, { topP: 0.9 }, { topP: 0.9, temperature: 0.5 }, { topP: 0.95, temperature: 2 },
                 { topK: 3, topP: 0.7 }, { topK: 3 }, { topK: 3, topP: 0.99 }];
  const p08 = reference(logits, { topP: 0.8 });
  assert.ok(Math.abs(p08[1]! - 0.6225) < 1e-3 && Math.abs(p08[3]! - 0.3775) < 1e-3 && p08[0] === 0, `hand check ${p08}`);
  for (const o of cases) {
    const want = reference(logits, o);
    const rng = new Rng(11);
    const counts = [0, 0, 0, 0];
    const n = 40000;
    for (let i = 0; i < n; i++) counts[sampleToken(logits, o, rng)]!++;
    counts.forEach((c, i) => {
      if (want[i] === 0) assert.equal(c, 0, `${JSON.stringify(o)}: token ${i} is outside the kept set but was drawn ${c} times`);
      else assert.ok(Math.abs(c / n - want[i]!) < 0.01, `${JSON.stringify(o)}: token ${i} drawn ${c / n}, expected ${want[i]}`);
    });
  }
});

test('top-p stops as soon as the share reaches p: four equal tokens and p = 0.5 keep exactly two', () => {
  // 0.25 + 0.25 = 0.5 exactly in floating point; ties keep the lower index first
  const flat = Float64Array.from([3, 3, 3, 3]);
  const rng = new Rng(2);
  const counts = [0, 0, 0, 0];
  for (let i = 0; i < 4000; i++) counts[sampleToken(flat, { topP: 0.5 }, rng)]!++;
  assert.deepEqual(counts.map((c) => c > 0), [true, true, false, false], `counts ${counts}`);
  assert.ok(Math.abs(counts[0]! / 4000 - 0.5) < 0.04, `counts ${counts}`);
});

test('the seed decides the draws: the same seed repeats them, another seed changes them', () => {
  const draw = (seed: number, o: object) => { const r = new Rng(seed); return Array.from({ length: 60 }, () => sampleToken(logits, o, r)).join(''); };
  for (const o of [{}, { temperature: 0.7 }, { topK: 3 }, { topP: 0.9 }]) {
    assert.equal(draw(3, o), draw(3, o), JSON.stringify(o));
    assert.notEqual(draw(3, o), draw(4, o), JSON.stringify(o));
  }
});
