// The memory section's figure computes what `recur forecast` prints for the command it shows: the
// same open-loop and closed-loop predictions of the test part, the same baselines and the same
// errors, for AR on airline passengers (the default), NARX on NARMA10 and TDNN on sunspots.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { computeMemory, memoryCommand, type MemoryParams } from '../../web/src/notes/sections/memory/compute.js';
import { recurJson, ROOT } from './harness.js';

const texts = {
  airline: readFileSync(join(ROOT, 'data', 'airline-passengers.csv'), 'utf8'),
  sunspots: readFileSync(join(ROOT, 'data', 'sunspots.csv'), 'utf8'),
};
/** The CLI rounds its JSON to 8 (predictions) or 6 (metrics) significant digits. */
const close = (a: number, b: number, digits: number, what: string) =>
  assert.ok(Math.abs(a - b) <= 10 ** -(digits - 1) * Math.max(Math.abs(a), Math.abs(b), 1e-300), `${what}: page ${a}, CLI ${b}`);

interface CliForecast {
  seasonalPeriod: number; split: { train: number; val: number; test: number };
  byLoop: Record<'open' | 'closed', Record<'model' | 'naive' | 'seasonalNaive', { rmse: number }>>;
  test: { actual: number; open: number; closed: number }[];
}

for (const p of [
  { data: 'airline', model: 'ar', log: false, epochs: 60, seed: 0 },
  { data: 'narma10', model: 'narx', log: false, epochs: 8, seed: 1 },
  { data: 'sunspots', model: 'tdnn', log: false, epochs: 6, seed: 0 },
] as MemoryParams[]) {
  test(`memory-loops = ${memoryCommand(p)}`, () => {
    const page = computeMemory(p, texts);
    const cli = recurJson(memoryCommand(p)) as unknown as CliForecast;
    assert.equal(page.seasonalPeriod, cli.seasonalPeriod);
    assert.deepEqual(page.split, cli.split);
    assert.equal(page.test.actual.length, cli.test.length);
    cli.test.forEach((row, i) => {
      assert.equal(page.test.actual[i], row.actual);
      close(page.test.open[i]!, row.open, 8, `open[${i}]`);
      close(page.test.closed[i]!, row.closed, 8, `closed[${i}]`);
    });
    close(page.rmse.open, cli.byLoop.open.model.rmse, 6, 'open RMSE');
    close(page.rmse.closed, cli.byLoop.closed.model.rmse, 6, 'closed RMSE');
    close(page.rmse.seasonalNaiveOpen, cli.byLoop.open.seasonalNaive.rmse, 6, 'seasonal naive, one step');
    close(page.rmse.naiveClosed, cli.byLoop.closed.naive.rmse, 6, 'naive from the origin');
    close(page.rmse.seasonalNaiveClosed, cli.byLoop.closed.seasonalNaive.rmse, 6, 'seasonal naive from the origin');
  });
}

test('the closed loop\'s horizon: the first h where its running error is over twice the open loop\'s', () => {
  for (const p of [{ data: 'airline', model: 'ar' }, { data: 'sunspots', model: 'ar' }] as MemoryParams[]) {
    const r = computeMemory({ ...p, log: false, epochs: 1, seed: 0 }, texts);
    const { closed, seasonalNaive } = r.running;
    const n = closed.length;
    // the running RMSE at the last step is the whole test part's
    close(closed[n - 1]!, r.rmse.closed, 12, 'running RMSE at the end');
    const open = r.running.open;
    assert.notEqual(r.breakdown, null, `${p.data}: the AR free run falls apart within the test part`);
    const h = r.breakdown! - 1;
    assert.ok(closed[h]! > 2 * open[h]!, `${p.data}: at h = ${r.breakdown}, ${closed[h]} > 2 × ${open[h]}`);
    for (let j = 0; j < h; j++) assert.ok(closed[j]! <= 2 * open[j]!, `${p.data}: not before (${j + 1})`);
    assert.equal(seasonalNaive.length, n);
    // open loop (true values fed in) beats the closed loop (its own outputs fed back)
    assert.ok(r.rmse.open < r.rmse.closed, `${p.data}: open ${r.rmse.open} < closed ${r.rmse.closed}`);
  }
});
