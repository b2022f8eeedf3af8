// The native backend beyond the conformance suite: its threads give the bits of one thread (gemm of
// every shape and transpose, the fused recurrences with and without lengths, the one-hot
// projection and its gradient, the loss to rounding), bad arrays and options are RecurErrors, and the
// self-check that 'auto' runs catches wrong kernels.
// Where the addon is not built the tests say why they skip.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RecurError } from '../../errors.js';
import { Rng } from '../../tensor/rng.js';
import type { FloatArray } from '../../tensor/types.js';
import { jsKernels } from '../js/index.js';
import type { Kernels } from '../types.js';
import { loadNativeKernels, nativeSelfCheck, nativeUnavailable, type NativeKernels } from './index.js';

const why = await nativeUnavailable();

function fill(k: NativeKernels, rng: Rng, n: number): Float32Array {
  const a = k.alloc(n);
  for (let i = 0; i < n; i++) a[i] = rng.normal();
  return a;
}

/** The same calls on k, from the same seed: every array written, and the loss. */
function workload(k: NativeKernels): { arrays: Float32Array[]; loss: number } {
  const rng = new Rng(3);
  const arrays: Float32Array[] = [];
  for (const [M, N, K] of [[300, 70, 260], [19, 1030, 33], [1, 300, 70], [70, 1, 300]] as [number, number, number][]) {
    for (const ta of [false, true]) for (const tb of [false, true]) {
      const C = fill(k, rng, M * N);
      k.gemm(ta, tb, M, N, K, fill(k, rng, M * K), fill(k, rng, K * N), C, tb);
      arrays.push(C);
    }
  }
  const T = 5, B = 19, H = 37, BH = B * H;
  const lengths = Int32Array.from({ length: B }, (_, b) => 1 + ((b * 7) % T));
  for (const lens of [undefined, lengths]) {
    const gates = fill(k, rng, 4 * T * BH), hs = fill(k, rng, (T + 1) * BH), cs = fill(k, rng, (T + 1) * BH);
    const w = fill(k, rng, 4 * H * H);
    k.sequence.lstmForward(gates, hs, cs, w, fill(k, rng, 4 * H), T, B, H, false, lens);
    const dGates = k.alloc(4 * T * BH), work = fill(k, rng, 5 * BH), dY = fill(k, rng, T * BH);
    if (lens) for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) if (t >= lens[b]!) dY.fill(0, (t * B + b) * H, (t * B + b + 1) * H);
    k.sequence.lstmBackward(dGates, gates, cs, dY, work, w, T, B, H, false, lens);
    arrays.push(gates, hs, cs, dGates, work);
  }
  const R = 400, N = 300, I = 64;
  const idx = Int32Array.from({ length: R }, () => rng.int(I));
  const out = k.alloc(R * N), dW = fill(k, rng, N * I);
  k.oneHotProject(out, idx, fill(k, rng, N * I), fill(k, rng, N), R, N, I);
  k.oneHotProjectBackward(dW, fill(k, rng, R * N), idx, R, N, I);
  const logits = fill(k, rng, R * I), dLogits = k.alloc(R * I);
  const loss = k.softmaxCrossEntropy(logits, idx, dLogits, R, I, -100, 1 / R);
  arrays.push(out, dW, dLogits);
  return { arrays, loss };
}

test('native on 2 threads, every call that can be cut cut, gives the bits of 1 thread', async (t) => {
  if (why !== undefined) { t.skip(`the native addon is unavailable: ${why}`); return; }
  const one = await loadNativeKernels({ threads: 1 });
  const two = await loadNativeKernels({ threads: 2, cores: 2, split: { gemmFlops: 0, elements: 0 } });
  try {
    assert.equal(two.threads, 2);
    const a = workload(one), b = workload(two);
    assert.ok(two.parallelCalls >= 20, `calls were cut (${two.parallelCalls})`);
    assert.equal(one.parallelCalls, 0);
    assert.equal(a.arrays.length, b.arrays.length);
    a.arrays.forEach((x, i) => assert.deepEqual(b.arrays[i], x, `array ${i}`));
    assert.ok(Math.abs(a.loss - b.loss) <= 1e-9 * Math.abs(a.loss), `loss ${b.loss} vs ${a.loss}`);
  } finally {
    one.dispose();
    two.dispose();
  }
});

test('native: arrays of the wrong type or too short, bad indices and options are RecurErrors', async (t) => {
  if (why !== undefined) { t.skip(`the native addon is unavailable: ${why}`); return; }
  const k = await loadNativeKernels();
  const a = k.alloc(12);
  assert.throws(() => k.gemm(false, false, 3, 4, 2, a, a, a.subarray(1), false), (e: unknown) => e instanceof RecurError && /gemm C.*at least 12/.test((e as Error).message));
  assert.throws(() => k.add(a, a, new Float64Array(12), 12), (e: unknown) => e instanceof RecurError && /add b: expected a Float32Array.*Float64Array/.test((e as Error).message));
  assert.throws(() => k.oneHotProject(a, Int32Array.of(0, 5), a, undefined, 2, 2, 5), /index 5 at row 1 is outside 0\.\.4/);
  assert.throws(() => k.softmaxCrossEntropy(a, Int32Array.of(3), undefined, 1, 3, -100, 1), /target 3/);
  assert.throws(() => k.sequence.rnnForward('tanh', a, a, a, undefined, 2, 2, 3, false, undefined), /rnnForward hs: .*at least 18/);
  assert.throws(() => k.activationForward('gelu' as 'tanh', a, undefined, 3, 4), /expected tanh, relu or identity/);
  await assert.rejects(loadNativeKernels({ isa: 'sse9' as 'generic' }), RecurError);
  await assert.rejects(loadNativeKernels({ threads: 0 }), RecurError);
  k.dispose();
});

test('the start-up self-check passes the native kernels and catches a wrong one', async (t) => {
  if (why !== undefined) { t.skip(`the native addon is unavailable: ${why}`); return; }
  const k = await loadNativeKernels();
  assert.equal(nativeSelfCheck(k), undefined);
  const wrongGemm = Object.assign(Object.create(k) as Kernels, {
    gemm: (ta: boolean, tb: boolean, M: number, N: number, K: number, A: FloatArray, B: FloatArray, C: FloatArray, acc: boolean) => {
      k.gemm(ta, tb, M, N, K - 1, A, B, C, acc); // one k short
    },
  });
  assert.match(nativeSelfCheck(wrongGemm) ?? '', /^gemm\(false, false\) differs from the reference/);
  const wrongStep = Object.assign(Object.create(k) as Kernels, { lstmForward: jsKernels('float32').gruBeforeOutput });
  assert.match(nativeSelfCheck(wrongStep) ?? '', /^lstmForward/);
  k.dispose();
});
