import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ort from 'onnxruntime-web';
import { decodeModel, encodeModel, type ModelProto } from './proto.js';
import { floatTensor, readFloats } from './tensors.js';

// y = x·Wᵀ + b as one Gemm node (transB=1), written by recur's encoder and run by ONNX Runtime.
function gemmModel(w: number[], b: number[]): ModelProto {
  return {
    ir_version: 8,
    opset_import: [{ domain: '', version: 14 }],
    producer_name: 'recur-test',
    graph: {
      name: 'gemm',
      node: [{ name: 'fc', op_type: 'Gemm', input: ['x', 'W', 'b'], output: ['y'], attribute: [{ name: 'transB', type: 2, i: 1 }] }],
      initializer: [floatTensor('W', [2, 3], w), floatTensor('b', [2], b)],
      input: [{ name: 'x', type: { tensor_type: { elem_type: 1, shape: { dim: [{ dim_param: 'batch' }, { dim_value: 3 }] } } } }],
      output: [{ name: 'y', type: { tensor_type: { elem_type: 1, shape: { dim: [{ dim_param: 'batch' }, { dim_value: 2 }] } } } }],
    },
  };
}

test('an encoded model decodes to the same fields, and ONNX Runtime runs it', async () => {
  const w = [1, 2, 3, -1, 0.5, 0.25];
  const b = [0.5, -2];
  const bytes = encodeModel(gemmModel(w, b));
  const back = decodeModel(bytes);
  assert.equal(back.graph?.node?.[0]?.op_type, 'Gemm');
  assert.equal(back.graph?.node?.[0]?.attribute?.[0]?.i, 1);
  assert.deepEqual(back.graph?.initializer?.[0]?.dims, [2, 3]);
  assert.deepEqual(Array.from(readFloats(back.graph!.initializer![0]!, 'W')), w);
  assert.equal(back.graph?.input?.[0]?.type?.tensor_type?.shape?.dim?.[0]?.dim_param, 'batch');

  const session = await ort.InferenceSession.create(bytes);
  const x = [1, 1, 1, 2, 0, -1];
  const { y } = await session.run({ x: new ort.Tensor('float32', Float32Array.from(x), [2, 3]) });
  // by hand: row 1 = (1+2+3+0.5, -1+0.5+0.25-2), row 2 = (2-3+0.5, -2-0.25-2)
  assert.deepEqual(Array.from(y!.data as Float32Array), [6.5, -2.25, -0.5, -4.25]);
});

test('bytes that are not a model are refused in one line', () => {
  assert.throws(() => decodeModel(new Uint8Array([0xff, 0xff, 0xff]), 'bad.onnx'), /^RecurError: bad\.onnx: expected an ONNX ModelProto/);
});

test('ONNX gate blocks: GRU r,z,n -> z,r,h and LSTM i,f,g,o -> i,o,f,c, and back', async () => {
  const { onnxGateOrder, permuteGateRows } = await import('./gates.js');
  // one row per block, one column: the value names the recur block
  assert.deepEqual(Array.from(permuteGateRows([0, 1, 2], onnxGateOrder('gru'), 1, 1, true)), [1, 0, 2]);
  assert.deepEqual(Array.from(permuteGateRows([0, 1, 2, 3], onnxGateOrder('lstm'), 1, 1, true)), [0, 3, 1, 2]);
  const w = Array.from({ length: 4 * 2 * 3 }, (_, i) => i);
  assert.deepEqual(Array.from(permuteGateRows(permuteGateRows(w, onnxGateOrder('lstm'), 2, 3, true), onnxGateOrder('lstm'), 2, 3, false)), w);
});
