/**
 * @module kernels/conformance.test
 * One suite, run against every float32 backend: each kernel against the float64 JS reference on
 * odd sizes (1, 3, 5, 7, 13, 33, 67: tails of every SIMD width), all four transpose combinations,
 * accumulate on and off, inputs in the backend's memory (alloc), as unaligned views into it, and as
 * plain Float32Arrays, and at extremes (σ/tanh of ±30, ±1e4; cross-entropy of logits ±1e3, ignored
 * rows). Errors are relative to the tensor's scale: max|a − b| / max|b|. The wasm backends must load
 * under their own name: a silent fallback fails here. The threaded backend (2 threads, thresholds at
 * 0 so that every call that can be split is) runs the same suite and must show split calls. So does
 * the native addon: each build of its kernels this CPU runs (AVX-512, AVX2, the baseline), forced by
 * name and checked to be the one that ran, and on 2 threads.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { RecurError } from '../errors.js';
import { Rng } from '../tensor/rng.js';
import type { FloatArray } from '../tensor/types.js';
import { loadKernels } from './index.js';
import { jsKernels } from './js/index.js';
import type { Activation, Kernels } from './types.js';
import { hasRelaxedSimd, loadWasmKernels, WasmKernels } from './wasm/index.js';
import { after } from 'node:test';
import { loadNativeKernels, nativeIsas, nativeUnavailable, NativeKernels } from './native/index.js';

const SIZES = [1, 3, 5, 7, 13, 33, 67];
const MODES = ['alloc', 'view', 'plain'] as const;
type Mode = typeof MODES[number];
type Arrays = Record<string, FloatArray>;
const ref = jsKernels('float64');

/** max|a − b| / max|b| over the first n values (max|a − b| when b is all zero). */
function relError(a: ArrayLike<number>, b: ArrayLike<number>, n = b.length): number {
  let d = 0;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const e = Math.abs(a[i]! - b[i]!);
    d = Number.isNaN(e) ? Infinity : Math.max(d, e);
    s = Math.max(s, Math.abs(b[i]!));
  }
  return s === 0 ? d : d / s;
}

/** n float32-representable values in [lo, hi). */
function values(rng: Rng, n: number, lo = -1, hi = 1): Float64Array {
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = Math.fround(lo + (hi - lo) * rng.uniform());
  return v;
}

/** Some of v replaced by ±30 and ±1e4 (inputs of σ and tanh far into saturation). */
function withExtremes(v: Float64Array, rng: Rng): Float64Array {
  const ext = [30, -30, 1e4, -1e4, 0];
  for (let i = 0; i < v.length; i += 1 + Math.floor(rng.uniform() * 5)) v[i] = ext[i % ext.length]!;
  return v;
}

/** A backend array holding v: from alloc, an unaligned view into an alloc, or a plain array. */
function place(k: Kernels, mode: Mode, v: Float64Array, owned: FloatArray[]): FloatArray {
  let a: FloatArray;
  if (mode === 'plain') a = new Float32Array(v.length);
  else {
    const block = k.alloc(v.length + (mode === 'view' ? 1 : 0));
    owned.push(block);
    a = mode === 'view' ? block.subarray(1) : block;
  }
  a.set(v);
  return a;
}

/** Run `call` on the reference and on k with the same inputs; every array must then agree. */
function both(k: Kernels, mode: Mode, data: Record<string, Float64Array>, tol: number, label: string,
              call: (kk: Kernels, a: Arrays) => number | void): void {
  const r: Arrays = {};
  const w: Arrays = {};
  const owned: FloatArray[] = [];
  for (const [key, v] of Object.entries(data)) {
    r[key] = Float64Array.from(v);
    w[key] = place(k, mode, v, owned);
  }
  const lossRef = call(ref, r);
  const loss = call(k, w);
  for (const key of Object.keys(data)) {
    const e = relError(w[key]!, r[key]!);
    assert.ok(e <= tol, `${label} (${mode}) ${key}: relative error ${e.toExponential(2)} > ${tol}`);
  }
  if (typeof lossRef === 'number') {
    const e = Math.abs((loss as number) - lossRef) / Math.max(1, Math.abs(lossRef));
    assert.ok(e <= tol, `${label} (${mode}) loss ${loss} vs ${lossRef}`);
  }
  for (const a of owned) k.free(a);
}

export function runKernelSuite(name: string, makeKernels: () => Promise<Kernels>, label = name,
                               check?: (k: Kernels) => void): void {
  describe(`kernels ${label}`, () => {
    let k: Kernels;
    before(async () => { k = await makeKernels(); });
    if (check) after(() => check(k));

    test('loads under its own name, float32', () => {
      assert.equal(k.name, name);
      assert.equal(k.dtype, 'float32');
    });

    test('gemm: odd sizes, all transpose combinations, accumulate on and off', () => {
      const rng = new Rng(1);
      let n = 0;
      for (const ta of [false, true]) for (const tb of [false, true]) for (const acc of [false, true]) {
        SIZES.forEach((M, i) => SIZES.forEach((N, j) => {
          const K = SIZES[(3 * i + j + (ta ? 1 : 0)) % SIZES.length]!;
          const mode = MODES[(i + j + n++) % 3]!;
          both(k, mode, { A: values(rng, M * K), B: values(rng, K * N), C: values(rng, M * N) }, 1e-5,
               `gemm(${ta}, ${tb}, ${M}, ${N}, ${K}, acc ${acc})`,
               (kk, a) => kk.gemm(ta, tb, M, N, K, a.A!, a.B!, a.C!, acc));
        }));
      }
    });

    test('gemm: blocked sizes (K > 256, rows > 256, both sides > 1024), K = 0, one row or column', () => {
      const rng = new Rng(2);
      const shapes = [[300, 9, 7], [33, 67, 300], [520, 40, 260], [67, 33, 13], [1030, 1100, 5], [5, 3, 0],
                      [1, 1100, 263], [1, 37, 1030], [301, 1, 67], [1, 1, 301], [1, 7, 3]];
      for (const [M, N, K] of shapes as [number, number, number][]) {
        for (const ta of [false, true]) for (const tb of [false, true]) {
          if (M * N > 1e5 && (ta || tb)) continue; // the big one once
          for (const acc of [false, true]) {
            both(k, 'alloc', { A: values(rng, M * K), B: values(rng, K * N), C: values(rng, M * N) }, 1e-5,
                 `gemm(${ta}, ${tb}, ${M}, ${N}, ${K}, acc ${acc})`,
                 (kk, a) => kk.gemm(ta, tb, M, N, K, a.A!, a.B!, a.C!, acc));
          }
        }
      }
    });

    test('fillRows, addRowSums, add', () => {
      const rng = new Rng(3);
      for (const R of [1, 3, 7]) SIZES.slice(0, 6).forEach((N, i) => {
        const mode = MODES[(R + i) % 3]!;
        both(k, mode, { out: values(rng, R * N), v: values(rng, N) }, 0, `fillRows ${R}×${N}`,
             (kk, a) => kk.fillRows(a.out!, a.v!, R, N));
        both(k, mode, { out: values(rng, N), A: values(rng, R * N) }, 2e-6, `addRowSums ${R}×${N}`,
             (kk, a) => kk.addRowSums(a.out!, a.A!, R, N));
        both(k, mode, { out: values(rng, R * N), a: values(rng, R * N), b: values(rng, R * N) }, 2e-6, `add ${R * N}`,
             (kk, a) => kk.add(a.out!, a.a!, a.b!, R * N));
      });
    });

    test('activations forward and backward, with and without bias, at extremes', () => {
      const rng = new Rng(4);
      for (const f of ['tanh', 'relu', 'identity'] as Activation[]) for (const B of [1, 3]) {
        SIZES.slice(0, 6).forEach((H, i) => {
          const mode = MODES[(B + i) % 3]!;
          for (const bias of [false, true]) {
            const data: Record<string, Float64Array> = { z: withExtremes(values(rng, B * H, -3, 3), rng) };
            if (bias) data.b = values(rng, H);
            both(k, mode, data, 2e-6, `activationForward ${f} ${B}×${H}`,
                 (kk, a) => kk.activationForward(f, a.z!, a.b, B, H));
          }
          const out = values(rng, B * H, -1, 1).map((x) => (f === 'relu' ? Math.max(0, x) : x));
          both(k, mode, { dz: values(rng, B * H), dh: values(rng, B * H), a: out }, 2e-6,
               `activationBackward ${f} ${B * H}`, (kk, a) => kk.activationBackward(f, a.dz!, a.dh!, a.a!, B * H));
        });
      }
    });

    test('LSTM step forward and backward', () => {
      const rng = new Rng(5);
      for (const B of [1, 3, 5]) SIZES.slice(0, 6).forEach((H, i) => {
        const mode = MODES[(B + i) % 3]!;
        for (const bias of [false, true]) {
          const data: Record<string, Float64Array> = {
            gates: withExtremes(values(rng, B * 4 * H, -4, 4), rng), cPrev: values(rng, B * H, -2, 2),
            c: values(rng, B * H), h: values(rng, B * H),
          };
          if (bias) data.bHh = values(rng, 4 * H);
          both(k, mode, data, 2e-6, `lstmForward ${B}×${H}`,
               (kk, a) => kk.lstmForward(a.gates!, a.bHh, a.cPrev!, a.c!, a.h!, B, H));
        }
        const gates = values(rng, B * 4 * H, 0, 1);
        for (let r = 0; r < B; r++) for (let j = 0; j < H; j++) gates[r * 4 * H + 2 * H + j] = Math.fround(2 * gates[r * 4 * H + 2 * H + j]! - 1);
        both(k, mode, {
          dGates: values(rng, B * 4 * H), dcPrev: values(rng, B * H), dh: values(rng, B * H), dc: values(rng, B * H),
          gates, c: withExtremes(values(rng, B * H, -2, 2), rng), cPrev: values(rng, B * H, -2, 2),
        }, 4e-6, `lstmBackward ${B}×${H}`,
        (kk, a) => kk.lstmBackward(a.dGates!, a.dcPrev!, a.dh!, a.dc!, a.gates!, a.c!, a.cPrev!, B, H));
      });
    });

    test('GRU steps (reset after and before) forward and backward', () => {
      const rng = new Rng(6);
      for (const B of [1, 3]) SIZES.slice(0, 6).forEach((H, i) => {
        const mode = MODES[(B + i) % 3]!;
        const G = 3 * B * H;
        const BH = B * H;
        for (const bias of [false, true]) {
          const bHh = bias ? { bHh: values(rng, 3 * H) } : {};
          both(k, mode, { gates: withExtremes(values(rng, G, -4, 4), rng), hw: values(rng, G, -2, 2), ...bHh,
                          hPrev: values(rng, BH), h: values(rng, BH), hn: values(rng, BH) }, 2e-6, `gruAfterForward ${B}×${H}`,
               (kk, a) => kk.gruAfterForward(a.gates!, a.hw!, a.bHh, a.hPrev!, a.h!, a.hn!, B, H));
          both(k, mode, { gates: withExtremes(values(rng, G, -4, 4), rng), hwRz: values(rng, 2 * BH, -2, 2), ...bHh,
                          hPrev: values(rng, BH), rh: values(rng, BH) }, 2e-6, `gruBeforeGates ${B}×${H}`,
               (kk, a) => kk.gruBeforeGates(a.gates!, a.hwRz!, a.bHh, a.hPrev!, a.rh!, B, H));
          both(k, mode, { gates: withExtremes(values(rng, G, -4, 4), rng), hwN: values(rng, BH, -2, 2), ...bHh,
                          hPrev: values(rng, BH), h: values(rng, BH) }, 2e-6, `gruBeforeOutput ${B}×${H}`,
               (kk, a) => kk.gruBeforeOutput(a.gates!, a.hwN!, a.bHh, a.hPrev!, a.h!, B, H));
        }
        const gates = values(rng, G, 0, 1); // r, z in (0,1); n in (−1,1)
        for (let r = 0; r < B; r++) for (let j = 0; j < H; j++) gates[r * 3 * H + 2 * H + j] = Math.fround(2 * gates[r * 3 * H + 2 * H + j]! - 1);
        both(k, mode, { dXw: values(rng, G), dHw: values(rng, G), dhPrev: values(rng, BH), dh: values(rng, BH), gates,
                        hn: values(rng, BH), hPrev: values(rng, BH) }, 4e-6, `gruAfterBackward ${B}×${H}`,
             (kk, a) => kk.gruAfterBackward(a.dXw!, a.dHw!, a.dhPrev!, a.dh!, a.gates!, a.hn!, a.hPrev!, B, H));
        both(k, mode, { dGates: values(rng, G), dHwN: values(rng, BH), dhPrev: values(rng, BH), dh: values(rng, BH),
                        gates, hPrev: values(rng, BH) }, 4e-6, `gruBeforeOutputBackward ${B}×${H}`,
             (kk, a) => kk.gruBeforeOutputBackward(a.dGates!, a.dHwN!, a.dhPrev!, a.dh!, a.gates!, a.hPrev!, B, H));
        both(k, mode, { dGates: values(rng, G), dHwRz: values(rng, 2 * BH), dhPrev: values(rng, BH), dRh: values(rng, BH),
                        gates, hPrev: values(rng, BH) }, 4e-6, `gruBeforeGatesBackward ${B}×${H}`,
             (kk, a) => kk.gruBeforeGatesBackward(a.dGates!, a.dHwRz!, a.dhPrev!, a.dRh!, a.gates!, a.hPrev!, B, H));
      });
    });

    test('softmax cross-entropy: odd vocabularies, ignored rows, logits ±1e3', () => {
      const rng = new Rng(7);
      for (const R of [1, 3, 7]) for (const V of [1, 3, 5, 13, 67]) for (const big of [false, true]) {
        const mode = MODES[(R + V) % 3]!;
        const targets = new Int32Array(R).map((_, r) => (r % 3 === 1 ? -100 : Math.floor(rng.uniform() * V)));
        const logits = values(rng, R * V, big ? -1e3 : -5, big ? 1e3 : 5);
        both(k, mode, { logits, dLogits: values(rng, R * V) }, 2e-6, `softmaxCrossEntropy ${R}×${V}`,
             (kk, a) => kk.softmaxCrossEntropy(a.logits!, targets, a.dLogits, R, V, -100, 0.25));
        both(k, mode, { logits }, 2e-6, `softmaxCrossEntropy ${R}×${V} (loss only)`,
             (kk, a) => kk.softmaxCrossEntropy(a.logits!, targets, undefined, R, V, -100, 1));
      }
    });

    test('one-hot projection (gather) and its gradient (scatter-add): odd sizes, repeated tokens, with and without bias', () => {
      const rng = new Rng(8);
      let n = 0;
      for (const [R, N, I] of [[1, 5, 3], [3, 16, 7], [7, 33, 5], [40, 17, 13], [67, 67, 64], [1120, 40, 64], [2, 20, 300], [33, 1, 2], [400, 500, 700], [40, 16, 13], [50, 20, 61], [128, 64, 61]] as [number, number, number][]) {
        const mode = MODES[n++ % 3]!;
        const idx = new Int32Array(R).map(() => Math.floor(rng.uniform() * Math.min(I, 4 + R / 8)));
        for (const bias of [false, true]) {
          const data: Record<string, Float64Array> = { out: values(rng, R * N), W: values(rng, N * I) };
          if (bias) data.b = values(rng, N);
          both(k, mode, data, 1e-6, `oneHotProject ${R}×${N}×${I}`,
               (kk, a) => kk.oneHotProject(a.out!, idx, a.W!, a.b, R, N, I));
        }
        both(k, mode, { dW: values(rng, N * I), dOut: values(rng, R * N) }, 2e-6, `oneHotProjectBackward ${R}×${N}×${I}`,
             (kk, a) => kk.oneHotProjectBackward(a.dW!, a.dOut!, idx, R, N, I));
      }
      if (k.name === 'js') return; // the reference does not check its indices
      const out = k.alloc(6);
      assert.throws(() => k.oneHotProject(out, Int32Array.of(0, 3), out, undefined, 2, 3, 3), /outside|3/);
      k.free(out);
    });

    test('alloc gives zeroed arrays; free takes them back', () => {
      const a = k.alloc(37);
      a.fill(3);
      k.free(a);
      const b = k.alloc(37);
      assert.equal(b.length, 37);
      assert.ok(b.every((x) => x === 0));
      k.free(b);
    });
  });
}

runKernelSuite('js', async () => jsKernels('float32'));
runKernelSuite('wasm-simd', () => loadWasmKernels({ relaxed: false }));
runKernelSuite('wasm-relaxed-simd', () => loadWasmKernels({ relaxed: true }));
const splitAll = { gemmFlops: 0, elements: 0, tune: false };
for (const relaxed of [true, false]) {
  const name = relaxed ? 'wasm-relaxed-simd' : 'wasm-simd';
  runKernelSuite(name, () => loadWasmKernels({ relaxed, threads: 2, cores: 2, split: splitAll }), `${name} (2 threads)`, (k) => {
    const w = k as WasmKernels;
    assert.equal(w.threads, 2);
    assert.ok(w.parallelCalls > 100, `the split path ran (${w.parallelCalls} split calls)`);
    w.dispose();
    assert.equal(w.threads, 1);
  });
}

const nativeWhy = await nativeUnavailable();
if (nativeWhy !== undefined) test('kernels native', (t) => t.skip(`the native addon is unavailable: ${nativeWhy}`));
for (const isa of await nativeIsas()) {
  runKernelSuite('native', () => loadNativeKernels({ isa }), `native ${isa}`, (k) => {
    assert.equal((k as NativeKernels).isa, isa, 'the build asked for ran');
  });
}
if (nativeWhy === undefined) {
  runKernelSuite('native', () => loadNativeKernels({ threads: 2, cores: 2, split: { gemmFlops: 0, elements: 0 } }),
                 'native (2 threads)', (k) => {
    const n = k as NativeKernels;
    assert.equal(n.threads, 2);
    assert.ok(n.parallelCalls > 100, `the split path ran (${n.parallelCalls} split calls)`);
    n.dispose();
    assert.equal(n.threads, 1);
  });
}

describe('loadKernels', () => {
  test('auto picks the fastest this engine runs; js on request; names are checked', async () => {
    const auto = await loadKernels();
    if (nativeWhy === undefined) assert.ok(auto instanceof NativeKernels, 'auto: native where the addon loads');
    else {
      assert.equal(auto.name, hasRelaxedSimd() ? 'wasm-relaxed-simd' : 'wasm-simd');
      assert.ok(auto instanceof WasmKernels);
    }
    auto.dispose?.();
    assert.equal((await loadKernels({ prefer: 'js' })).name, 'js');
    assert.equal((await loadKernels({ prefer: 'wasm-simd' })).name, 'wasm-simd');
    await assert.rejects(loadKernels({ prefer: 'fast' as 'js' }), RecurError);
  });
});
