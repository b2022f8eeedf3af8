// The BPTT section's figure computes what `recur gradients --heatmap … --json` prints: every
// backward path's size ‖∂L_t/∂h_k‖ and the gradient norms, for the command the figure shows; and
// what the truncation window keeps is the share of those paths inside it.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { bpttCommand, computeBptt, keptShare, type BpttParams } from '../../web/src/notes/sections/bptt/compute.js';
import { recurJson } from './harness.js';

for (const p of [
  { steps: 8, window: 3, loss: 7, radius: 1, seed: 0 },
  { steps: 12, window: 12, loss: 11, radius: 1.5, seed: 2 },
] as BpttParams[]) {
  test(`bptt-unrolled = ${bpttCommand(p)}`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'recur-bptt-'));
    try {
      const page = computeBptt(p);
      const cli = recurJson(bpttCommand(p).replace('bptt.svg', join(dir, 'bptt.svg'))) as { heatmap: number[][]; gradNorm: number[] };
      const T = p.steps;
      assert.equal(cli.heatmap.length, T);
      cli.heatmap.forEach((row, t) => assert.deepEqual(page.heatmap.slice(t * T, t * T + t + 1), row, `row t = ${t}`));
      for (let t = 0; t < T; t++) for (let k = t + 1; k < T; k++) assert.equal(page.heatmap[t * T + k], 0, 'no path from L_t to a later state');
      assert.deepEqual(page.gradNorm, cli.gradNorm);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('the truncation window keeps the paths inside it: all at K = T, only ∂L_t/∂h_t at K = 1', () => {
  const r = computeBptt({ steps: 10, window: 10, loss: 9, radius: 0.9, seed: 0 });
  assert.equal(keptShare(r, 9, 10), 1);
  const row = r.heatmap.slice(90, 100);
  assert.ok(Math.abs(keptShare(r, 9, 1) - row[9]! / row.reduce((a, b) => a + b, 0)) < 1e-15);
  for (let K = 1; K < 10; K++) assert.ok(keptShare(r, 9, K) < keptShare(r, 9, K + 1), `K = ${K}: a wider window keeps more`);
});
