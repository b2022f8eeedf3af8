// Every cell form, 1–3 layers, one or two directions, with and without lengths and initial states,
// batch-first and time-major, alone and inside composed models: exported, run in ONNX Runtime, and
// compared with recur's own forward (float32, max |error| ≤ 1e-5).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exportOnnx } from './index.js';
import { maxAbsDiff, referenceForward, runOnnx } from '../../../test/onnx-run.js';
import { buildModel, CELLS, inputs, randomCase, SHAPES, type Case } from '../../../test/onnx-cases.js';

const TOLERANCE = 1e-5;

async function check(c: Case): Promise<number> {
  const model = buildModel(c);
  const tokens = c.shape === 'lm' || c.shape === 'onehot';
  const bytes = exportOnnx(model, { batchFirst: c.batchFirst, lengths: c.lengths, ...(tokens ? { input: 'tokens' as const } : {}) });
  const { x, xBatchFirst, feeds, states } = inputs(c, model);
  // recur's forward: with the states through the stacks, else the model's own (batch-first) forward
  let expected: ReturnType<typeof referenceForward>;
  if (c.states) expected = referenceForward(model, x, states);
  else {
    const finals = referenceForward(model, x, undefined); // for h_n
    const y = model.forward((c.batchFirst ? xBatchFirst : x) as never, { batchFirst: c.batchFirst });
    expected = { y: Float64Array.from(y.data), finals: finals.finals };
  }
  const got = await runOnnx(bytes, feeds);
  let worst = maxAbsDiff(got.output!, expected.y);
  for (const [prefix, f] of expected.finals) {
    worst = Math.max(worst, maxAbsDiff(got[`${prefix}h_n`]!, f.hN));
    if (f.cN) worst = Math.max(worst, maxAbsDiff(got[`${prefix}c_n`]!, f.cN));
  }
  return worst;
}

test('exported models match recur in ONNX Runtime on 105 random configurations (max |error| ≤ 1e-5)', async () => {
  let worst = 0;
  const seen = new Set<string>();
  for (let seed = 0; seed < 105; seed++) {
    const c = randomCase(seed);
    const cell = JSON.stringify(c.cell);
    for (const key of [`${cell} lengths ${c.lengths}`, `${cell} bidirectional ${c.bidirectional}`, `${cell} states ${c.states}`,
                       `layers ${c.numLayers} bidirectional ${c.bidirectional}`, `${c.shape} batchFirst ${c.batchFirst}`,
                       ...(c.shape === 'pooled' ? [`reduce ${c.mode} lengths ${c.lengths}`] : [])]) seen.add(key);
    let e: number;
    try { e = await check(c); } catch (err) { throw new Error(`seed ${seed} ${JSON.stringify(c)}: ${(err as Error).message}`); }
    assert.ok(e <= TOLERANCE, `seed ${seed}: max |error| ${e} > ${TOLERANCE}: ${JSON.stringify(c)}`);
    worst = Math.max(worst, e);
  }
  assert.ok(worst > 0, 'every output identical to the bit: the comparison is not reading the outputs');
  // what the configurations cover: every cell form with and without lengths, in both directions,
  // with and without initial states; 1–3 layers in both directions; every reducer with and without lengths
  const missing: string[] = [];
  for (const cell of CELLS.map((x) => JSON.stringify(x))) {
    for (const b of [true, false]) for (const what of ['lengths', 'bidirectional', 'states']) if (!seen.has(`${cell} ${what} ${b}`)) missing.push(`${cell} ${what} ${b}`);
  }
  for (const L of [1, 2, 3]) for (const b of [true, false]) if (!seen.has(`layers ${L} bidirectional ${b}`)) missing.push(`layers ${L} bidirectional ${b}`);
  for (const m of ['last', 'mean', 'max']) for (const b of [true, false]) if (!seen.has(`reduce ${m} lengths ${b}`)) missing.push(`reduce ${m} lengths ${b}`);
  for (const shape of SHAPES) if (!seen.has(`${shape} batchFirst false`)) missing.push(`${shape} time-major`);
  assert.deepEqual(missing, [], 'combinations no configuration covered');
});
