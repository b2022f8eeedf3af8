// The wasm backend's whole-recurrence kernels (kernels/types SequenceKernels, wasm/sequence) against
// the cells' own step loops on the same backend: same outputs, states and gradients, bit for bit,
// on 1 and 2 threads (cut by batch rows), forward and reverse, 1–2 layers, odd sizes. Runs with
// per-row lengths take the step loops (and must still agree).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Kernels, SequenceKernels } from '../kernels/types.js';
import { loadWasmKernels } from '../kernels/wasm/index.js';
import { Rng } from '../tensor/rng.js';
import type { FloatArray } from '../tensor/types.js';
import { parseRecurrentConfig, type RecurrentConfig } from './config.js';
import { RecurrentStack } from './recurrent.js';

const CELLS: Partial<RecurrentConfig>[] = [
  { cell: 'rnn', nonlinearity: 'tanh' }, { cell: 'rnn', nonlinearity: 'relu' }, { cell: 'lstm' },
  { cell: 'gru', resetAfter: true }, { cell: 'gru', resetAfter: false }, { cell: 'residual', residual: 'x' },
  { cell: 'residual', residual: 'xh', nonlinearity: 'relu' },
];
const T = 6, B = 5, V = 7, H = 5;

/** k without its fused loops: the cells run their step loops on the same kernels. */
const stepsOnly = (k: Kernels): Kernels => Object.assign(Object.create(k) as Kernels, { sequence: undefined });

/** k whose fused loops count their calls. */
function counting(k: Kernels): { kernels: Kernels; calls: () => number } {
  let n = 0;
  const seq = k.sequence!;
  const wrapped = {} as Record<string, unknown>;
  for (const name of Object.keys(seq) as (keyof SequenceKernels)[]) {
    const f = seq[name] as (...a: unknown[]) => void;
    wrapped[name] = (...a: unknown[]) => { n++; f(...a); };
  }
  return { kernels: Object.assign(Object.create(k) as Kernels, { sequence: wrapped }), calls: () => n };
}

function run(config: RecurrentConfig, k: Kernels, tokens: Int32Array, lengths: Int32Array | undefined, dy: Float64Array, dhN: Float64Array) {
  const stack = new RecurrentStack(config, k, new Rng(5));
  const out = stack.forwardTokens(tokens, T, B, { lengths });
  const y = Float64Array.from(out.y), hN = Float64Array.from(out.hN), cN = out.cN && Float64Array.from(out.cN);
  stack.params.zeroGrad();
  const copy = (a: Float64Array): FloatArray => { const b = k.alloc(a.length); b.set(a); return b; };
  const g = stack.backward(copy(dy), copy(dhN), config.cell === 'lstm' ? copy(dhN) : undefined);
  return { y, hN, cN, grad: Float64Array.from(stack.params.grad), dh0: Float64Array.from(g.dh0), dc0: g.dc0 && Float64Array.from(g.dc0) };
}

for (const threads of [1, 2]) {
  test(`fused recurrences on wasm (${threads} thread${threads > 1 ? 's' : ''}) equal the step loops bit for bit`, async () => {
    const k = await loadWasmKernels({ threads, cores: threads, split: { gemmFlops: 0, elements: 0, tune: false } });
    try {
      assert.ok(k.sequence, 'the wasm backend has fused loops');
      const rng = new Rng(9);
      const tokens = Int32Array.from({ length: T * B }, () => rng.int(V));
      for (const cell of CELLS) for (const layers of [1, 2]) for (const bidirectional of [false, true]) {
        for (const lengths of [undefined, Int32Array.from([T, 3, 1, T, 2])]) {
          const config = parseRecurrentConfig({ inputSize: V, hiddenSize: H, numLayers: layers, bidirectional, ...cell });
          const D = bidirectional ? 2 : 1;
          const dy = Float64Array.from({ length: T * B * D * H }, () => rng.normal());
          const dhN = Float64Array.from({ length: layers * D * B * H }, () => rng.normal());
          const fused = counting(k);
          const got = run(config, fused.kernels, tokens, lengths, dy, dhN);
          const want = run(config, stepsOnly(k), tokens, lengths, dy, dhN);
          const name = `${JSON.stringify(cell)} L=${layers} bi=${bidirectional} lengths=${lengths !== undefined}`;
          assert.equal(fused.calls() > 0, lengths === undefined, `${name}: fused loops used exactly where they apply`);
          for (const key of ['y', 'hN', 'cN', 'grad', 'dh0', 'dc0'] as const) {
            assert.deepEqual(got[key], want[key], `${name}: ${key}`);
          }
        }
      }
      if (threads > 1) assert.ok(k.parallelCalls > 0, 'calls were cut between threads');
    } finally {
      k.dispose();
    }
  });
}
