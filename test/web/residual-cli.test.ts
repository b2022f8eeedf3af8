// The residual section's figures compute what `recur gradients --cell rnn,residual-xh … --state-norms
// --json` prints: the same gradient norms against distance and state norms against time.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { computeResidual, residualCommand, type ResidualParams } from '../../web/src/notes/sections/residual/compute.js';
import { recurJson, ROOT } from './harness.js';

interface Series { label: string; gradNorm: number[]; rate: number | null; stateNorm: number[] }

for (const p of [
  { radius: 0.9, hidden: 16, steps: 100, seed: 0 },
  { radius: 0.5, hidden: 8, steps: 40, seed: 3 },
] as ResidualParams[]) {
  test(`residual = ${residualCommand(p)}`, () => {
    const page = computeResidual(p);
    const cli = recurJson(residualCommand(p)) as { distance: number[]; series: Series[] };
    assert.deepEqual(page.distance, cli.distance);
    assert.match(cli.series[0]!.label, /^rnn \(tanh\)/);
    assert.match(cli.series[1]!.label, /^residual \(xh, tanh\)/);
    for (const [run, s] of [[page.rnn, cli.series[0]!], [page.residual, cli.series[1]!]] as const) {
      assert.deepEqual(run.gradNorm, s.gradNorm);
      assert.equal(run.rate, s.rate);
      assert.deepEqual(run.stateNorm, s.stateNorm);
    }
    // and what they say: the tanh RNN's state stays under √H, the residual one's passes it
    const H = p.hidden;
    assert.ok(page.rnn.stateNorm.every((v) => v <= Math.sqrt(H)), `tanh RNN ‖h‖ ${Math.max(...page.rnn.stateNorm)}`);
    assert.ok(page.residual.stateNorm.at(-1)! > Math.sqrt(H), `residual ‖h_T‖ ${page.residual.stateNorm.at(-1)}`);
  });
}

test('the tanh RNN\'s gradient vanishes over 100 steps; the residual one\'s does not', () => {
  const r = computeResidual({ radius: 0.9, hidden: 16, steps: 100, seed: 0 });
  assert.ok(r.rnn.gradNorm.at(-1)! / r.rnn.gradNorm[0]! < 1e-6, `rnn ratio ${r.rnn.gradNorm.at(-1)! / r.rnn.gradNorm[0]!}`);
  assert.ok(r.residual.gradNorm.at(-1)! / r.residual.gradNorm[0]! > 0.1, `residual ratio ${r.residual.gradNorm.at(-1)! / r.residual.gradNorm[0]!}`);
});

test('recur gradients --state-norms needs --json (one line, exit 2); the figure rejects a bad setting', () => {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'recur.js'), 'gradients', '--cell', 'rnn', '--hidden', '4', '--steps', '5', '--state-norms'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--state-norms adds the state norms to the JSON output: give --json too/);
  assert.throws(() => computeResidual({ radius: 0.9, hidden: 16, steps: 1, seed: 0 }), /T: expected an integer in 2…400, got 1/);
});
