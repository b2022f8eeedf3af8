/**
 * @module bench/gemm
 * GFLOP/s of the float32 gemm backends (js, wasm-simd, wasm-relaxed-simd) on the products BPTT
 * runs, batch B = 32, T·B = 1120 rows of a whole sequence, input size 64, gates 4H:
 *
 *   fwd step   h (32,H) · W_hh (4H,H)ᵀ            gemm(F,T)  per time step
 *   fwd seq    x (1120,64) · W_ih (4H,64)ᵀ         gemm(F,T)  input projection of all steps
 *   dX step    dG (32,4H) · W_hh (4H,H)           gemm(F,F)  per time step
 *   dW         dGᵀ (4H,1120) · h (1120,H)         gemm(T,F)  weight gradient of all steps
 *   dX seq     dG (1120,4H) · W_ih (4H,64)         gemm(F,F)  input gradient of all steps
 *   dW_ih      dGᵀ (4H,1120) · x (1120,64)        gemm(T,F)
 *
 * Usage (after npm run build): node bench/gemm.mjs [--quick] [--rounds N] [--threads N] [--backends js,wasm-simd,...]
 * Arrays come from each backend's alloc, so the wasm numbers are its in-place fast path. With
 * --rounds N every cell is measured N times, round-robin, and the best kept (a shared machine's
 * other load then costs less).
 */
import { loadKernels } from '../dist/src/kernels/index.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const pick = args.includes('--backends') ? args[args.indexOf('--backends') + 1].split(',') : ['js', 'wasm-simd', 'wasm-relaxed-simd'];
const seconds = quick ? 0.15 : 0.4;
const rounds = args.includes('--rounds') ? Number(args[args.indexOf('--rounds') + 1]) : 1;
const threads = args.includes('--threads') ? Number(args[args.indexOf('--threads') + 1]) : 1;
const HS = quick ? [64, 256] : [64, 256, 512];
const B = 32;
const TB = 1120;
const I = 64;

const shapes = (H) => [
  ['fwd step', false, true, B, 4 * H, H],
  ['fwd seq', false, true, TB, 4 * H, I],
  ['dX step', false, false, B, H, 4 * H],
  ['dW', true, false, 4 * H, H, TB],
  ['dX seq', false, false, TB, I, 4 * H],
  ['dW_ih', true, false, 4 * H, I, TB],
];

function rate(k, [, ta, tb, M, N, K], time = seconds) {
  const A = k.alloc(M * K);
  const Bm = k.alloc(K * N);
  const C = k.alloc(M * N);
  for (let i = 0; i < A.length; i++) A[i] = Math.sin(i) * 0.5;
  for (let i = 0; i < Bm.length; i++) Bm[i] = Math.cos(i) * 0.5;
  const flops = 2 * M * N * K;
  const call = () => k.gemm(ta, tb, M, N, K, A, Bm, C, true);
  // warm up (wasm tiers up to its optimizing compiler after a few calls)
  const warm = performance.now();
  for (let i = 0; i < 5 && performance.now() - warm < time * 1000; i++) call();
  let best = Infinity;
  for (let round = 0; round < 3; round++) {
    let reps = 0;
    const t0 = performance.now();
    let t = t0;
    while (reps === 0 || t - t0 < (time * 1000) / 3) {
      call();
      reps++;
      t = performance.now();
    }
    best = Math.min(best, (t - t0) / reps);
  }
  k.free(A);
  k.free(Bm);
  k.free(C);
  return flops / best / 1e6;
}

const backends = [];
for (const name of pick) {
  const k = await loadKernels({ prefer: name, threads });
  // wasm starts in V8's baseline compiler and tiers up in the background: warm every path first
  if (name !== 'js') for (const s of shapes(64)) rate(k, s, 0.05);
  backends.push(k);
}
const rows = HS.flatMap((H) => shapes(H).map((s) => ({ H, s, best: backends.map(() => 0) })));
for (let round = 0; round < rounds; round++) {
  for (const row of rows) backends.forEach((k, b) => { row.best[b] = Math.max(row.best[b], rate(k, row.s)); });
}
console.log(`gemm GFLOP/s, float32, ${threads} thread(s) (B=${B}, T·B=${TB}, I=${I}); best of ${rounds} round(s)\n`);
console.log(`| H | product | shape (M×N×K) | ${backends.map((k) => k.name).join(' | ')} |`);
console.log(`|---|---|---|${backends.map(() => '---:').join('|')}|`);
for (const { H, s: [label, ta, tb, M, N, K], best } of rows) {
  console.log(`| ${H} | ${label} (${ta ? 'T' : 'F'},${tb ? 'T' : 'F'}) | ${M}×${N}×${K} | ${best.map((g) => g.toFixed(1)).join(' | ')} |`);
}
for (const k of backends) k.dispose?.();
