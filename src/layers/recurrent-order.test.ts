// The running order of a padded batch (layers/recurrent-order) and the stack's way in and out of it:
//   - the order itself on a small case worked by hand;
//   - a batch and the same batch with its rows shuffled give the same outputs and gradients, row
//     for row, bit for bit (distinct lengths, so both run in the same order and even the parameter
//     gradients, sums over rows, add up alike): every input (x, tokens, h0, c0, lengths, dy, dh_n,
//     dc_n) goes into running order and every output (y, h_n, c_n, dx, dh0, dc0, ∂L/∂h_t) comes back.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jsKernels } from '../kernels/js/index.js';
import type { Kernels } from '../kernels/types.js';
import { loadWasmKernels } from '../kernels/wasm/index.js';
import { Rng } from '../tensor/rng.js';
import type { FloatArray } from '../tensor/types.js';
import { parseRecurrentConfig, recurrentConfig, type RecurrentConfig } from './config.js';
import { RecurrentStack } from './recurrent.js';
import { RowOrder } from './recurrent-order.js';

test('rows run by length, longest first, dealt to the front and the back', () => {
  // by length: row 1 (5), row 3 (5, the later row of a tie), row 4 (3), row 0 (2), row 2 (1);
  // ranks 0..4 go to positions 0, 4, 1, 3, 2
  const order = RowOrder.of(Int32Array.from([2, 5, 1, 5, 3]), 5)!;
  assert.deepEqual([...order.perm], [1, 4, 2, 0, 3]);
  assert.deepEqual([...order.lengths], [5, 3, 1, 2, 5]);
  assert.equal(RowOrder.of(Int32Array.from([4, 4, 4]), 4), undefined, 'no padding: the batch runs as it is');
  // gather then scatter: the identity; gather: row perm[p] to position p
  const src = Float64Array.from({ length: 2 * 5 * 2 }, (_, i) => i);
  const there = order.gather(new Float64Array(src.length), src, 2, 2);
  assert.deepEqual([...there.subarray(0, 10)], [2, 3, 8, 9, 4, 5, 0, 1, 6, 7]);
  assert.deepEqual(order.scatter(new Float64Array(src.length), there, 2, 2), src);
});

const T = 7, B = 6, V = 4, H = 3;
const LENGTHS = [3, 7, 1, 6, 2, 5]; // distinct: a shuffled batch runs in the same order
const SHUFFLE = [4, 0, 5, 2, 1, 3]; // row b of the shuffled batch is row SHUFFLE[b] of the first

/** (R,B,W) with its rows taken as SHUFFLE says. */
function shuffled(a: Float64Array, W: number): Float64Array {
  const out = new Float64Array(a.length);
  for (let r = 0; r < a.length / (B * W); r++) {
    for (let b = 0; b < B; b++) out.set(a.subarray((r * B + SHUFFLE[b]!) * W, (r * B + SHUFFLE[b]! + 1) * W), (r * B + b) * W);
  }
  return out;
}

function run(config: RecurrentConfig, k: Kernels, rows: (a: Float64Array, W: number) => Float64Array, tokens: boolean) {
  const rng = new Rng(3);
  const D = config.bidirectional ? 2 : 1, S = config.numLayers * D;
  const randn = (n: number): Float64Array => Float64Array.from({ length: n }, () => rng.normal());
  const inp = (a: Float64Array, W: number): FloatArray => { const b = k.alloc(a.length); b.set(rows(a, W)); return b; };
  const x = randn(T * B * V), h0 = randn(S * B * H), c0 = randn(S * B * H), dy = randn(T * B * D * H);
  const dhN = randn(S * B * H), dcN = randn(S * B * H);
  const ids = Float64Array.from({ length: T * B }, () => rng.int(V));
  const lengths = Int32Array.from(rows(Float64Array.from(LENGTHS), 1));
  const lstm = config.cell === 'lstm';
  const stack = new RecurrentStack(config, k, new Rng(5));
  const opt = { lengths, h0: inp(h0, H), c0: lstm ? inp(c0, H) : undefined };
  const out = tokens ? stack.forwardTokens(Int32Array.from(rows(ids, 1)), T, B, opt) : stack.forward(inp(x, V), T, B, opt);
  const y = Float64Array.from(out.y), hN = Float64Array.from(out.hN), cN = out.cN && Float64Array.from(out.cN);
  stack.params.zeroGrad();
  const g = stack.backward(inp(dy, D * H), inp(dhN, H), lstm ? inp(dcN, H) : undefined, { stateGrads: true });
  return {
    y, hN, cN, dh0: Float64Array.from(g.dh0), dc0: g.dc0 && Float64Array.from(g.dc0), dx: g.dx && Float64Array.from(g.dx),
    stateGrads: Float64Array.from(stack.stateGradients(config.numLayers - 1, D - 1)),
    grad: Float64Array.from(stack.params.grad),
  };
}

const CASES: Partial<RecurrentConfig>[] = [
  { cell: 'lstm', numLayers: 2, bidirectional: true }, { cell: 'gru', resetAfter: false, numLayers: 2 },
  { cell: 'gru', resetAfter: true, bidirectional: true }, { cell: 'rnn', nonlinearity: 'tanh', numLayers: 2 },
  { cell: 'residual', residual: 'xh', bidirectional: true },
];

for (const backend of ['js float64', 'wasm 1 thread'] as const) {
  test(`a shuffled padded batch gives the same rows, bit for bit (${backend})`, async () => {
    const k = backend === 'js float64' ? jsKernels('float64') : await loadWasmKernels({ threads: 1 });
    try {
      for (const c of CASES) for (const tokens of [false, true]) {
        const config = parseRecurrentConfig({ inputSize: V, hiddenSize: H, ...c });
        const D = config.bidirectional ? 2 : 1;
        const first = run(config, k, (a) => a, tokens);
        const second = run(config, k, shuffled, tokens);
        const name = `${JSON.stringify(c)} tokens=${tokens}`;
        const widths = { y: D * H, hN: H, cN: H, dh0: H, dc0: H, dx: V, stateGrads: H } as const;
        for (const [key, W] of Object.entries(widths) as [keyof typeof widths, number][]) {
          const a = first[key], b = second[key];
          assert.equal(a === undefined, b === undefined, `${name}: ${key}`);
          if (a && b) assert.deepEqual(b, shuffled(a, W), `${name}: ${key}`);
        }
        assert.deepEqual(second.grad, first.grad, `${name}: parameter gradients`);
        // padded steps: y is 0 there
        const yRow = (t: number, b: number) => first.y.subarray((t * B + b) * D * H, (t * B + b + 1) * D * H);
        assert.ok(yRow(LENGTHS[0]!, 0).every((v) => v === 0) && yRow(LENGTHS[0]! - 1, 0).some((v) => v !== 0));
      }
    } finally {
      k.dispose?.();
    }
  });
}

test('a stack reuses its buffers for a shorter batch (a padded batch\'s T follows its longest row), same results', async () => {
  const k = await loadWasmKernels({ threads: 2, cores: 2, split: { gemmFlops: 0, elements: 0, tune: false } });
  try {
    const config = recurrentConfig({ inputSize: V, hiddenSize: H, cell: 'gru', numLayers: 2, bidirectional: true });
    const once = (stack: RecurrentStack, Tn: number, lengths: Int32Array | undefined, seed: number) => {
      const rng = new Rng(seed);
      const x = k.alloc(Tn * B * V), dy = k.alloc(Tn * B * 2 * H);
      for (let i = 0; i < x.length; i++) x[i] = rng.normal();
      for (let i = 0; i < dy.length; i++) dy[i] = rng.normal();
      const out = stack.forward(x, Tn, B, { lengths, training: true });
      const y = Float64Array.from(out.y), hN = Float64Array.from(out.hN);
      stack.params.zeroGrad();
      const g = stack.backward(dy, undefined, undefined, { stateGrads: true });
      return { y, hN, dx: Float64Array.from(g.dx!), grad: Float64Array.from(stack.params.grad),
               stateGrads: Float64Array.from(stack.stateGradients(1, 1)) };
    };
    const short = Int32Array.from([2, 4, 1, 3, 4, 2]);
    for (const lengths of [short, undefined]) {
      const used = new RecurrentStack(config, k, new Rng(5));
      once(used, T, Int32Array.from(LENGTHS), 1); // T = 7 first: the buffers hold 7 steps
      const got = once(used, 4, lengths, 2);
      const want = once(new RecurrentStack(config, k, new Rng(5)), 4, lengths, 2);
      for (const key of ['y', 'hN', 'dx', 'stateGrads'] as const) {
        assert.equal(got[key].length, want[key].length, `${key}: the shape of a 4-step batch`);
        assert.deepEqual(got[key], want[key], `lengths=${lengths !== undefined}: ${key}`);
      }
      assert.equal(got.grad.length, want.grad.length);
    }
  } finally {
    k.dispose();
  }
});
