// The clipping section's figure computes what `recur task adding … --clip 0,θ --eval-every 1`
// prints: for each run, every step's training loss, validation loss and gradient norms before and
// after clipping, and the step where the unclipped run diverged.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { clipCommand, computeClip, type ClipParams } from '../../web/src/notes/sections/clipping/compute.js';
import { ROOT } from './harness.js';

interface Line { event: string; run: string; step: number; loss: number; valLoss: number; gradNorm: number; gradNormClipped: number; diverged: number | null; finalValLoss: number }

/** Every JSON line the command prints (one per evaluation, then each run's end and a summary). */
function recurLines(command: string): Line[] {
  const [bin, ...args] = command.split(' ');
  assert.equal(bin, 'recur');
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'recur.js'), ...args], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, `${command} failed: ${r.stderr}`);
  return r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Line);
}

for (const p of [
  { radius: 1.5, lr: 0.1, clip: 1, steps: 40, budget: 150, seed: 0 }, // the figure's defaults
  { radius: 1.5, lr: 0.1, clip: 0.25, steps: 20, budget: 30, seed: 3 },
] as ClipParams[]) {
  test(`clipping-run = ${clipCommand(p)}`, () => {
    const page = computeClip(p);
    const lines = recurLines(clipCommand(p));
    page.runs.forEach((run, i) => {
      const name = i === 0 ? 'rnn no clip' : `rnn clip ${p.clip}`;
      const evals = lines.filter((l) => l.event === 'eval' && l.run === name);
      const end = lines.find((l) => l.event === 'end' && l.run === name)!;
      assert.deepEqual(run.step, evals.map((l) => l.step), name);
      assert.deepEqual(run.loss, evals.map((l) => l.loss), name);
      assert.deepEqual(run.valLoss, evals.map((l) => l.valLoss), name);
      assert.deepEqual(run.gradNorm, evals.map((l) => l.gradNorm), name);
      assert.deepEqual(run.gradNormClipped, evals.map((l) => l.gradNormClipped), name);
      assert.equal(run.diverged, end.diverged, name);
      assert.equal(run.finalValLoss, end.finalValLoss, name);
    });
    // and what they say: clipping caps the norm of every update at θ, the unclipped one is not capped
    const [off, on] = page.runs;
    on.gradNorm.forEach((g, s) => assert.ok(Math.abs(on.gradNormClipped[s]! - Math.min(g, p.clip)) <= 1e-5 * p.clip, `step ${s + 1}: ${g} → ${on.gradNormClipped[s]}`));
    assert.deepEqual(off.gradNormClipped, off.gradNorm);
    if (p.budget === 150) {
      // the exploding default: without clipping it diverges within a few steps, with θ = 1 it learns
      assert.ok(off.diverged !== null && off.diverged <= 10, `unclipped diverged at ${off.diverged}`);
      assert.ok(Math.max(...off.gradNorm) > 10, `largest unclipped ‖g‖ ${Math.max(...off.gradNorm)}`);
      assert.equal(on.diverged, null);
      assert.equal(on.step.length, 150);
      assert.ok(on.finalValLoss < page.baseline, `clipped: validation ${on.finalValLoss} vs baseline ${page.baseline}`);
    }
  });
}

test('the figure rejects a bad setting in one line', () => {
  assert.throws(() => computeClip({ radius: 1.5, lr: 0, clip: 1, steps: 40, budget: 150, seed: 0 }), /learning rate: expected a number in \(0, 1\], got 0/);
  assert.throws(() => computeClip({ radius: 1.5, lr: 0.1, clip: 1, steps: 1, budget: 150, seed: 0 }), /T: expected an integer in 2…200, got 1/);
});
