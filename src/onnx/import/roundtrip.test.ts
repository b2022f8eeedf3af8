// recur's own exports import back: on a sample of the export test's random configurations (every cell
// form incl. residual, 1–3 layers, both directions, lengths, initial states, batch-first, composed
// heads), exportOnnx → importOnnx → toModel gives the same model (config, parameters, forward), and
// the interpreter runs each exported graph as ONNX Runtime does (all outputs, initial states fed).
// Expected values come from the original recur model and from ONNX Runtime, never from the importer.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jsKernels } from '../../kernels/js/index.js';
import { loadModel, saveModel } from '../../nn/model-file.js';
import { exportOnnx } from '../export/index.js';
import { decodeModel, encodeModel } from '../proto.js';
import { importOnnx } from './index.js';
import { maxAbsDiff, runOnnx } from '../../../test/onnx-run.js';
import { buildModel, CELLS, inputs, randomCase, SHAPES } from '../../../test/onnx-cases.js';

const TOLERANCE = 1e-5;
/** 20 seeds: cell i % 10 (seed / 7), shape 3i % 7 (seed % 7): every cell form and every model shape. */
const SEEDS = Array.from({ length: 20 }, (_, i) => 70 * Math.floor(i / 10) + 7 * (i % 10) + (3 * i) % SHAPES.length);

test('recur\'s own exports come back as the same model, and the interpreter runs them as ONNX Runtime (20 random configurations)', async () => {
  const seen = new Set<string>();
  let interpreterWorst = 0;
  for (const seed of SEEDS) {
    const c = randomCase(seed);
    const label = `seed ${seed} ${JSON.stringify(c)}`;
    for (const key of [JSON.stringify(c.cell), c.shape, `batchFirst ${c.batchFirst}`, `lengths ${c.lengths}`, `states ${c.states}`,
                       `bidirectional ${c.bidirectional}`, `layers ${c.numLayers > 1}`]) seen.add(key);
    const model = buildModel(c).eval();
    const tokens = c.shape === 'lm' || c.shape === 'onehot';
    const bytes = exportOnnx(model, { batchFirst: c.batchFirst, lengths: c.lengths, ...(tokens ? { input: 'tokens' as const } : {}) });
    const { x, xBatchFirst, feeds } = inputs(c, model);
    const graph = importOnnx(bytes, { what: label });
    // the interpreter against ONNX Runtime: every output, with the case's initial states
    const want = await runOnnx(bytes, feeds);
    const got = graph.run(Object.fromEntries(Object.entries(feeds).map(([name, t]) => [name, { data: t.data as ArrayLike<number>, shape: t.dims }])));
    for (const name of Object.keys(want)) {
      const e = maxAbsDiff(got[name]!.data, want[name]!);
      assert.ok(e <= TOLERANCE, `${label}: output ${name} differs from ONNX Runtime by ${e}`);
      interpreterWorst = Math.max(interpreterWorst, e);
    }
    // the model back: the original's config and parameters, the same forward
    const imported = graph.toModel();
    assert.equal(imported.batchFirst, c.batchFirst, label);
    assert.equal(imported.lengths, c.lengths ? 'lengths' : undefined, label);
    const reloaded = loadModel(saveModel(imported.model), jsKernels('float32'));
    assert.deepEqual(reloaded.config, model.config, label);
    assert.equal(maxAbsDiff(reloaded.params.data, model.params.data), 0, `${label}: parameters differ`);
    const xin = (c.batchFirst ? xBatchFirst : x) as never;
    const y0 = Float64Array.from(model.forward(xin, { batchFirst: c.batchFirst }).data);
    const y1 = imported.model.forward(xin, { batchFirst: c.batchFirst }).data;
    assert.ok(maxAbsDiff(y1, y0) <= TOLERANCE, `${label}: forward differs by ${maxAbsDiff(y1, y0)}`);
  }
  assert.ok(interpreterWorst > 0, 'the interpreter agrees with ONNX Runtime to the bit: the comparison reads nothing');
  const missing = [...CELLS.map((x) => JSON.stringify(x)), ...SHAPES, ...[true, false].flatMap((b) =>
    [`batchFirst ${b}`, `lengths ${b}`, `states ${b}`, `bidirectional ${b}`, `layers ${b}`])].filter((key) => !seen.has(key));
  assert.deepEqual(missing, [], 'what the sample does not cover');
});

test('an exported file changed after the export is refused in one line, naming what differs', () => {
  const c = randomCase(SEEDS[3]!);
  const bytes = exportOnnx(buildModel(c));
  const m = decodeModel(bytes);
  // a weight changed after the export: the config's model with the file's weights is checked against the graph,
  // so the Scan body or the node that reads it must see the same value; an initializer of another shape is refused
  const w = m.graph!.initializer!.find((t) => t.data_type === 1 && (t.dims ?? []).length === 2)!;
  const reshaped = { ...m, graph: { ...m.graph!, initializer: m.graph!.initializer!.map((t) => (t === w ? { ...t, dims: [1, ...(t.dims ?? [])] } : t)) } };
  assert.throws(() => importOnnx(encodeModel(reshaped), { what: 'x.onnx' }).toModel(), (e: Error) =>
    e.name === 'RecurError' && /^x\.onnx: recur's export of this config has an initializer ".+" of shape \(.+\); the file has shape \(1, .+\)/.test(e.message) && !e.message.includes('\n'));
  // a node changed (the GRU's other form): the model of the config computes something else than the graph
  const gru = m.graph!.node!.find((n) => n.op_type === 'GRU');
  assert.ok(gru, `seed ${SEEDS[3]} exports a GRU`);
  const flipped = { ...m, graph: { ...m.graph!, node: m.graph!.node!.map((n) => (n !== gru ? n : {
    ...n, attribute: n.attribute!.map((a) => (a.name === 'linear_before_reset' ? { ...a, i: 1 - Number(a.i ?? 0) } : a)) })) } };
  assert.throws(() => importOnnx(encodeModel(flipped), { what: 'x.onnx' }).toModel(), (e: Error) =>
    e.name === 'RecurError' && /^x\.onnx: the model of its "recur\.config" computes something else than the graph \(max difference/.test(e.message) && !e.message.includes('\n'));
  // a config that is not a model of layers (a forecaster's), and one that is not JSON
  for (const [value, re] of [['{"model":"narx"}', /holds a "narx" model, not a model of layers/], ['{', /metadata "recur\.config" is not JSON/]] as const) {
    const other = { ...m, metadata_props: (m.metadata_props ?? []).map((p) => (p.key === 'recur.config' ? { key: p.key, value } : p)) };
    assert.throws(() => importOnnx(encodeModel(other), { what: 'x.onnx' }).toModel(), (e: Error) => e.name === 'RecurError' && re.test(e.message) && !e.message.includes('\n'));
  }
  // an output that is a final state, not the model's
  assert.throws(() => importOnnx(bytes).toModel({ output: graphStateOutput(bytes) }), /converts to the model that computes "output"/);
});

/** The first output that is not "output" (a layer's h_n). */
function graphStateOutput(bytes: Uint8Array): string {
  return importOnnx(bytes).outputs.find((o) => o.name !== 'output')!.name;
}
