// The gates section's figure computes what `recur train … --gates N --backend js --json` prints:
// after every epoch the keep gates' saturation over the passage, and with the last the whole trace
// (each character's h, forget/update gate and surprise).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { GateSaturation, GateTrace } from '../../src/models/gate-trace.js';
import { computeGates, gatesCommand, type GatesParams } from '../../web/src/notes/sections/gates/compute.js';
import { ROOT } from './harness.js';

interface GatesLine { event: string; epoch: number; step: number; gate: string; saturation: GateSaturation; trace?: GateTrace }

const TEXT = readFileSync(join(ROOT, 'data', 'timemachine.txt'), 'utf8');

function gatesLines(command: string): GatesLine[] {
  const [bin, ...args] = command.split(' ');
  assert.equal(bin, 'recur');
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'recur.js'), ...args], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, `${command} failed: ${r.stderr}`);
  return r.stdout.trim().split('\n').map((l) => JSON.parse(l) as GatesLine).filter((l) => l.event === 'gates');
}

for (const p of [
  { cell: 'lstm', hidden: 32, epochs: 4, seed: 0, unit: 0 }, // the figure's defaults
  { cell: 'gru', hidden: 16, epochs: 1, seed: 2, unit: 3 },
] as GatesParams[]) {
  test(`gates-text = ${gatesCommand(p)}`, async () => {
    const page = await computeGates(p, TEXT);
    const cli = gatesLines(gatesCommand(p));
    assert.equal(cli.length, p.epochs);
    assert.deepEqual(page.epochs.map((e) => ({ epoch: e.epoch, step: e.step, saturation: e.saturation })),
                     cli.map((l) => ({ epoch: l.epoch, step: l.step, saturation: l.saturation })));
    assert.deepEqual(page.trace, cli[cli.length - 1]!.trace);
    // and what they are: 200 characters × H units, gates in (0, 1), histograms of all of them
    const tr = page.trace;
    assert.equal(tr.T, 200);
    assert.equal(page.chars.length, 200);
    assert.ok(page.chars.every((c) => /^[a-z ]$/.test(c)), 'd2l characters: letters and spaces');
    assert.equal(tr.gate, p.cell === 'lstm' ? 'forget' : 'update');
    assert.equal(tr.keep.length, 200 * p.hidden);
    assert.ok(tr.keep.every((v) => v > 0 && v < 1));
    assert.ok(tr.hidden.every((v) => v > -1 && v < 1));
    assert.equal(tr.surprise[0], null);
    for (const e of page.epochs) assert.ok(Math.abs(e.saturation.histogram.reduce((a, b) => a + b, 0) - 1) < 1e-12);
    // better than a uniform guess over the 28 characters (ln 28 ≈ 3.33 nats)
    const s = tr.surprise.slice(1) as number[];
    assert.ok(s.reduce((a, b) => a + b, 0) / s.length < Math.log(28), 'mean surprise below a uniform guess');
  });
}

test('recur train --gates: one clear line for a cell without gates; the figure rejects a bad setting', async () => {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'recur.js'), 'train', '--cell', 'rnn', '--gates', '10', '--epochs', '1'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--gates traces the gates of an lstm or gru, got --cell rnn/);
  await assert.rejects(computeGates({ cell: 'lstm', hidden: 2, epochs: 1, seed: 0, unit: 0 }, TEXT), /H: expected an integer in 4…128, got 2/);
});
