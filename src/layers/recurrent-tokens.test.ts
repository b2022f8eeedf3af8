// One-hot inputs given as token indices (RecurrentStack.forwardTokens): layer 0's input projection
// is a gather of W_ih's columns and its gradient a scatter-add (kernels oneHotProject and
// oneHotProjectBackward). Checked three ways:
//   - finite differences in float64 for every cell, 1–2 layers, one or two directions, with lengths;
//   - the same outputs and gradients as forward() on the materialized one-hot x (float64, exact);
//   - on the wasm backends (1 and 2 threads), against the float64 reference.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { finiteDifferenceError } from '../../test/helpers.js';
import { jsKernels } from '../kernels/js/index.js';
import type { Kernels } from '../kernels/types.js';
import { loadWasmKernels } from '../kernels/wasm/index.js';
import { Rng } from '../tensor/rng.js';
import type { FloatArray } from '../tensor/types.js';
import { parseRecurrentConfig, recurrentConfig, type RecurrentConfig } from './config.js';
import { oneHot } from './embedding.js';
import { RecurrentStack } from './recurrent.js';

const k64 = jsKernels('float64');
const CELLS: Partial<RecurrentConfig>[] = [
  { cell: 'rnn', nonlinearity: 'tanh' }, { cell: 'gru', resetAfter: false }, { cell: 'gru', resetAfter: true },
  { cell: 'lstm' }, { cell: 'residual', residual: 'x' }, { cell: 'residual', residual: 'xh' },
];
const T = 4, B = 3, V = 5, H = 3;

const dot = (a: FloatArray, b: FloatArray): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};

function randn(rng: Rng, n: number): Float64Array {
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.normal();
  return a;
}

interface Case {
  config: RecurrentConfig;
  tokens: Int32Array;
  lengths: Int32Array | undefined;
  dy: Float64Array;
  dhN: Float64Array;
  dcN: Float64Array | undefined;
}

function makeCase(partial: Partial<RecurrentConfig>, numLayers: number, bidirectional: boolean, withLengths: boolean): Case {
  const config = parseRecurrentConfig({ inputSize: V, hiddenSize: H, numLayers, bidirectional, ...partial });
  const D = bidirectional ? 2 : 1;
  const rng = new Rng(3);
  // token 0 three times, so that the scatter-add sums repeated columns
  const tokens = Int32Array.from({ length: T * B }, (_, i) => (i % 4 === 0 ? 0 : rng.int(V)));
  const lstm = config.cell === 'lstm';
  return {
    config, tokens, lengths: withLengths ? Int32Array.from([T, 2, 1]) : undefined,
    dy: randn(rng, T * B * D * H), dhN: randn(rng, numLayers * D * B * H),
    dcN: lstm ? randn(rng, numLayers * D * B * H) : undefined,
  };
}

function stackFor(c: Case, k: Kernels): RecurrentStack {
  const s = new RecurrentStack(c.config, k, new Rng(11));
  for (let i = 0; i < s.params.data.length; i++) s.params.data[i]! *= 1.5;
  return s;
}

/** Forward (tokens or one-hot x), backward; the loss, outputs and gradients, in float64. */
function run(c: Case, stack: RecurrentStack, k: Kernels, viaTokens: boolean) {
  let out;
  if (viaTokens) out = stack.forwardTokens(c.tokens, T, B, { lengths: c.lengths });
  else {
    const x = k.alloc(T * B * V);
    oneHot(x, c.tokens, T * B, V);
    out = stack.forward(x, T, B, { lengths: c.lengths });
  }
  const loss = dot(out.y, c.dy) + dot(out.hN, c.dhN) + (out.cN && c.dcN ? dot(out.cN, c.dcN) : 0);
  const y = Float64Array.from(out.y);
  stack.params.zeroGrad();
  const g = stack.backward(copyTo(k, c.dy), copyTo(k, c.dhN), c.dcN && copyTo(k, c.dcN),
                           { inputGrad: !viaTokens });
  if (viaTokens) assert.equal(g.dx, undefined, 'no input gradient for tokens');
  return { loss, y, grad: Float64Array.from(stack.params.grad), dh0: Float64Array.from(g.dh0) };
}

const copyTo = (k: Kernels, a: Float64Array): FloatArray => {
  const b = k.alloc(a.length);
  b.set(a);
  return b;
};

const maxRel = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let d = 0, s = 0;
  for (let i = 0; i < b.length; i++) { d = Math.max(d, Math.abs(a[i]! - b[i]!)); s = Math.max(s, Math.abs(b[i]!)); }
  return s === 0 ? d : d / s;
};

for (const cell of CELLS) {
  test(`tokens: gradient check and equality with one-hot x, ${JSON.stringify(cell)}`, () => {
    for (const layers of [1, 2]) for (const bi of [false, true]) for (const len of [false, true]) {
      const c = makeCase(cell, layers, bi, len);
      const name = `${JSON.stringify(cell)} L=${layers} bi=${bi} lengths=${len}`;
      const stack = stackFor(c, k64);
      const viaX = run(c, stack, k64, false);
      const viaTokens = run(c, stack, k64, true);
      assert.ok(maxRel(viaTokens.y, viaX.y) < 1e-14, `${name}: y`);
      assert.ok(maxRel(viaTokens.grad, viaX.grad) < 1e-13, `${name}: parameter gradients`);
      assert.ok(maxRel(viaTokens.dh0, viaX.dh0) < 1e-13, `${name}: dh0`);
      // finite differences through forwardTokens itself
      const loss = (): number => {
        const out = stack.forwardTokens(c.tokens, T, B, { lengths: c.lengths });
        return dot(out.y, c.dy) + dot(out.hN, c.dhN) + (out.cN && c.dcN ? dot(out.cN, c.dcN) : 0);
      };
      const { error, index } = finiteDifferenceError(stack.params.data, viaTokens.grad, loss, 1e-5);
      assert.ok(error < 1e-6, `${name}: dparams max relative error ${error.toExponential(2)} at ${index}`);
    }
  });
}

test('tokens: out-of-range indices are RecurErrors', () => {
  const stack = new RecurrentStack(recurrentConfig({ cell: 'lstm', inputSize: V, hiddenSize: H }), k64, new Rng(1));
  assert.throws(() => stack.forwardTokens(Int32Array.of(0, V), 2, 1), /0\.\.4/);
  assert.throws(() => stack.forwardTokens(Int32Array.of(0), 2, 1), /expected 2 values/);
});

for (const threads of [1, 2]) {
  test(`tokens on wasm (${threads} thread${threads > 1 ? 's' : ''}) match the float64 reference`, async () => {
    const k = await loadWasmKernels({ threads, cores: threads, split: { gemmFlops: 0, elements: 0, tune: false } });
    try {
      for (const cell of CELLS) {
        const c = makeCase(cell, 2, true, true);
        const ref = stackFor(c, k64);
        const s32 = stackFor(c, k);
        s32.params.data.set(ref.params.data);
        const want = run(c, ref, k64, true);
        const got = run(c, s32, k, true);
        assert.ok(maxRel(got.y, want.y) < 1e-5, `${JSON.stringify(cell)}: y`);
        assert.ok(maxRel(got.grad, want.grad) < 1e-4, `${JSON.stringify(cell)}: gradients`);
      }
      if (threads > 1) assert.ok(k.parallelCalls > 0, 'the split path ran');
    } finally {
      k.dispose();
    }
  });
}
