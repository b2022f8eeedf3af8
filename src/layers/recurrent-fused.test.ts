// The wasm and native backends' whole-recurrence kernels (kernels/types SequenceKernels, wasm/sequence) against
// the cells' own step loops on the same backend: same outputs, states and gradients, bit for bit,
// on 1 and 2 threads (cut by batch rows), forward and reverse, 1–2 layers, odd sizes, with and
// without per-row lengths (padded batches run on the fused loops too, which skip the inactive rows).
// Both sides run a padded batch in the same row order (layers/recurrent-order), so even the
// parameter gradients, sums over rows, are the same bits.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Kernels } from '../kernels/types.js';
import { loadWasmKernels } from '../kernels/wasm/index.js';
import { loadNativeKernels, nativeIsas, nativeUnavailable } from '../kernels/native/index.js';
import { countingFusedCalls } from '../../test/helpers.js';
import { Rng } from '../tensor/rng.js';
import type { FloatArray } from '../tensor/types.js';
import { parseRecurrentConfig, type RecurrentConfig } from './config.js';
import { RecurrentStack } from './recurrent.js';

const CELLS: Partial<RecurrentConfig>[] = [
  { cell: 'rnn', nonlinearity: 'tanh' }, { cell: 'rnn', nonlinearity: 'relu' }, { cell: 'lstm' },
  { cell: 'gru', resetAfter: true }, { cell: 'gru', resetAfter: false }, { cell: 'residual', residual: 'x' },
  { cell: 'residual', residual: 'xh', nonlinearity: 'relu' },
];
const T = 6, V = 7, H = 5; // H: most runs (one run per cell at 260)

/** k without its fused loops: the cells run their step loops on the same kernels. */
const stepsOnly = (k: Kernels): Kernels => Object.assign(Object.create(k) as Kernels, { sequence: undefined });


interface Inputs {
  B: number;
  tokens: Int32Array;
  x: Float64Array | undefined; // dense input (T,B,V) instead of tokens, with dx compared too
  lengths: Int32Array | undefined;
  dy: Float64Array;
  dhN: Float64Array;
}

function run(config: RecurrentConfig, k: Kernels, inp: Inputs) {
  const { B } = inp;
  const stack = new RecurrentStack(config, k, new Rng(5));
  const copy = (a: Float64Array): FloatArray => { const b = k.alloc(a.length); b.set(a); return b; };
  const out = inp.x ? stack.forward(copy(inp.x), T, B, { lengths: inp.lengths })
    : stack.forwardTokens(inp.tokens, T, B, { lengths: inp.lengths });
  const y = Float64Array.from(out.y), hN = Float64Array.from(out.hN), cN = out.cN && Float64Array.from(out.cN);
  stack.params.zeroGrad();
  const g = stack.backward(copy(inp.dy), copy(inp.dhN), config.cell === 'lstm' ? copy(inp.dhN) : undefined);
  return {
    y, hN, cN, grad: Float64Array.from(stack.params.grad), dh0: Float64Array.from(g.dh0),
    dc0: g.dc0 && Float64Array.from(g.dc0), dx: g.dx && Float64Array.from(g.dx),
  };
}

/** Lengths in 1..top, top and 1 among them (top < T: the last steps have no row active). */
function someLengths(rng: Rng, B: number, top: number): Int32Array {
  const lengths = Int32Array.from({ length: B }, () => 1 + rng.int(top));
  lengths[0] = top;
  lengths[B - 1] = 1;
  return lengths;
}

/** Fused loops against step loops on k: one configuration, every output and gradient bit for bit. */
function compare(k: Kernels, rng: Rng, cell: Partial<RecurrentConfig>, B: number, H: number, layers: number,
                 bidirectional: boolean, padded: boolean): void {
  const config = parseRecurrentConfig({ inputSize: V, hiddenSize: H, numLayers: layers, bidirectional, ...cell });
  const D = bidirectional ? 2 : 1;
  const dense = B !== 5 && layers === 1;
  const inp: Inputs = {
    B, tokens: Int32Array.from({ length: T * B }, () => rng.int(V)),
    x: dense ? Float64Array.from({ length: T * B * V }, () => rng.normal()) : undefined,
    lengths: padded ? someLengths(rng, B, B === 19 ? T - 2 : T) : undefined,
    dy: Float64Array.from({ length: T * B * D * H }, () => rng.normal()),
    dhN: Float64Array.from({ length: layers * D * B * H }, () => rng.normal()),
  };
  const fused = countingFusedCalls(k);
  const got = run(config, fused.kernels, inp);
  const want = run(config, stepsOnly(k), inp);
  const name = `${JSON.stringify(cell)} B=${B} H=${H} L=${layers} bi=${bidirectional} lengths=${padded} dense=${dense}`;
  // every layer and direction, forward and backward, on the fused loops; with the lengths
  const loops = 2 * layers * D;
  assert.equal(fused.calls(), loops, `${name}: the fused loops ran`);
  assert.equal(fused.withLengths(), padded ? loops : 0, `${name}: the fused loops got the lengths`);
  for (const key of ['y', 'hN', 'cN', 'grad', 'dh0', 'dc0', 'dx'] as const) {
    assert.deepEqual(got[key], want[key], `${name}: ${key}`);
  }
}

/** A backend with fused loops, and how many calls it has cut between threads. */
interface Fused { kernels: Kernels & { dispose(): void }; parallelCalls(): number }

const backends: [string, number, () => Promise<Fused>][] = [1, 2].map((threads) => [`wasm`, threads, async () => {
  const k = await loadWasmKernels({ threads, cores: threads, split: { gemmFlops: 0, elements: 0, tune: false } });
  return { kernels: k, parallelCalls: () => k.parallelCalls };
}]);
const nativeWhy = await nativeUnavailable();
if (nativeWhy !== undefined) test('fused recurrences on native', (t) => t.skip(`the native addon is unavailable: ${nativeWhy}`));
// the widest build on 1 and 2 threads, the others on 1
for (const [i, isa] of (await nativeIsas()).entries()) {
  for (const threads of i === 0 ? [1, 2] : [1]) {
    backends.push([`native ${isa}`, threads, async () => {
      const k = await loadNativeKernels({ isa, threads, cores: threads, split: { gemmFlops: 0, elements: 0 } });
      assert.equal(k.isa, isa);
      return { kernels: k, parallelCalls: () => k.parallelCalls };
    }]);
  }
}

for (const [backend, threads, load] of backends) {
  test(`fused recurrences on ${backend} (${threads} thread${threads > 1 ? 's' : ''}) equal the step loops bit for bit`, async () => {
    const { kernels: k, parallelCalls } = await load();
    try {
      assert.ok(k.sequence, 'the backend has fused loops');
      const rng = new Rng(9);
      // B = 19 and 35: cut into blocks of 8 rows on 2 threads (16 + 3; 16 + 16 + 3). (Not B = 4n + 1: the
      // step loops' gemm would cut a 1-row block, whose matrix-vector path rounds differently.)
      // B = 19 and 35: cut into blocks of 8 rows on 2 threads (16 + 3; 16 + 16 + 3). (Not B = 4n + 1: the
      // step loops' gemm would cut a 1-row block, whose matrix-vector path rounds differently.)
      for (const B of [5, 19, 35]) for (const cell of CELLS) for (const layers of [1, 2]) for (const bidirectional of [false, true]) {
        for (const padded of [false, true]) compare(k, rng, cell, B, H, layers, bidirectional, padded);
      }
      // H = 260: every per-step product's k runs past one block of the gemm (the native KC = 256); B = 1:
      // the batch-1 products (matrix-vector)
      for (const cell of CELLS) for (const B of [1, 3]) for (const padded of [false, true]) compare(k, rng, cell, B, 260, 1, false, padded);
      if (threads > 1) assert.ok(parallelCalls() > 0, 'calls were cut between threads');
    } finally {
      k.dispose();
    }
  });
}
