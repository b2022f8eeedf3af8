// Eigenvalues and singular values against numpy (src/analysis/testdata/linalg.json, written by
// tools/analysis/make_linalg_fixtures.py) and against cases known in closed form.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { Rng } from '../tensor/rng.js';
import {
  eigenvalues, matmul, maxSingularValue, randomOrthogonal, singularValues, spectralRadius, symmetricEigenvalues,
  type Complex,
} from './linalg.js';

interface Case {
  name: string; n: number; a: number[]; eigRe: number[]; eigIm: number[]; spectralRadius: number;
  singular: number[]; eigh?: number[];
}

const fixtures = JSON.parse(readFileSync(new URL('../../../src/analysis/testdata/linalg.json', import.meta.url), 'utf8')) as { cases: Case[] };

/** The largest distance between matched eigenvalues (greedy nearest matching), relative to max(1, ρ). */
function eigenDistance(ours: Complex[], re: number[], im: number[]): number {
  assert.equal(ours.length, re.length);
  const left = ours.map((z) => ({ ...z }));
  let worst = 0;
  const scale = Math.max(1, ...re.map((r, i) => Math.hypot(r, im[i]!)));
  for (let i = 0; i < re.length; i++) {
    let best = -1;
    let bestD = Infinity;
    for (let j = 0; j < left.length; j++) {
      const d = Math.hypot(left[j]!.re - re[i]!, left[j]!.im - im[i]!);
      if (d < bestD) { bestD = d; best = j; }
    }
    left.splice(best, 1);
    worst = Math.max(worst, bestD / scale);
  }
  return worst;
}

test('eigenvalues and spectral radius match numpy on every fixture', () => {
  assert.ok(fixtures.cases.length >= 20);
  for (const c of fixtures.cases) {
    const ev = eigenvalues(c.a, c.n);
    // a defective (Jordan) block's eigenvalues move by eps^(1/size) under rounding: numpy's do too
    const tol = c.name.startsWith('defective-jordan-4') ? 1e-3 : c.name.startsWith('defective') || c.name === 'nilpotent' ? 1e-6 : 1e-10;
    const d = eigenDistance(ev, c.eigRe, c.eigIm);
    assert.ok(d <= tol, `${c.name}: eigenvalues differ from numpy by ${d.toExponential(2)} (tolerance ${tol})`);
    const rho = spectralRadius(c.a, c.n);
    assert.ok(Math.abs(rho - c.spectralRadius) <= tol * Math.max(1, c.spectralRadius), `${c.name}: ρ ${rho} vs numpy ${c.spectralRadius}`);
    // complex eigenvalues of a real matrix come in conjugate pairs
    const im = ev.map((z) => z.im).sort((a, b) => a - b);
    for (let i = 0; i < im.length; i++) assert.ok(Math.abs(im[i]! + im[im.length - 1 - i]!) < 1e-9, `${c.name}: imaginary parts not paired`);
  }
});

test('singular values match numpy; symmetric eigenvalues match eigvalsh', () => {
  for (const c of fixtures.cases) {
    const s = singularValues(c.a, c.n, c.n);
    const top = c.singular[0]!;
    assert.ok(Math.abs(s[0]! - top) <= 1e-12 * Math.max(1, top), `${c.name}: σ_max ${s[0]} vs numpy ${top}`);
    assert.ok(Math.abs(maxSingularValue(c.a, c.n) - top) <= 1e-12 * Math.max(1, top));
    // the small ones through AᵀA lose accuracy relative to σ_max only
    for (let i = 0; i < c.n; i++) assert.ok(Math.abs(s[i]! - c.singular[i]!) <= 1e-7 * Math.max(1, top), `${c.name}: σ_${i}`);
    if (c.eigh) {
      const ev = symmetricEigenvalues(c.a, c.n);
      for (let i = 0; i < c.n; i++) {
        assert.ok(Math.abs(ev[i]! - c.eigh[i]!) <= 1e-11 * Math.max(1, Math.abs(c.eigh[c.n - 1]!), Math.abs(c.eigh[0]!)), `${c.name}: λ_${i} ${ev[i]} vs ${c.eigh[i]}`);
      }
    }
  }
});

test('closed forms: rotation, Jordan block, H = 1, a rotation scaled by ρ', () => {
  const th = 0.3;
  const rot = [Math.cos(th), -Math.sin(th), Math.sin(th), Math.cos(th)];
  const ev = eigenvalues(rot, 2).sort((a, b) => a.im - b.im);
  assert.ok(Math.abs(ev[0]!.re - Math.cos(th)) < 1e-15 && Math.abs(ev[0]!.im + Math.sin(th)) < 1e-15);
  assert.ok(Math.abs(ev[1]!.im - Math.sin(th)) < 1e-15);
  assert.ok(Math.abs(spectralRadius(rot, 2) - 1) < 1e-15);
  assert.ok(Math.abs(maxSingularValue(rot, 2) - 1) < 1e-15);
  // a Jordan block: ρ = 1 but ‖J‖₂ = (1 + √5)/2, so ‖J^d‖ grows like d although ρ = 1
  const jordan = [1, 1, 0, 1];
  assert.ok(Math.abs(spectralRadius(jordan, 2) - 1) < 1e-7);
  assert.ok(Math.abs(maxSingularValue(jordan, 2) - (1 + Math.sqrt(5)) / 2) < 1e-14);
  // H = 1: the eigenvalue is the number
  assert.deepEqual(eigenvalues([-0.37], 1), [{ re: -0.37, im: 0 }]);
  assert.equal(spectralRadius([-0.37], 1), 0.37);
  assert.equal(maxSingularValue([-0.37], 1), 0.37);
  assert.deepEqual(Array.from(symmetricEigenvalues([4], 1)), [4]);
});

test('randomOrthogonal: QᵀQ = I, every |λ| = 1, reproducible by seed', () => {
  for (const n of [1, 2, 7, 32]) {
    const q = randomOrthogonal(n, new Rng(n));
    const qt = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) qt[j * n + i] = q[i * n + j]!;
    const p = matmul(qt, q, n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) assert.ok(Math.abs(p[i * n + j]! - (i === j ? 1 : 0)) < 1e-13);
    for (const z of eigenvalues(q, n)) assert.ok(Math.abs(Math.hypot(z.re, z.im) - 1) < 1e-10);
    assert.deepEqual(randomOrthogonal(n, new Rng(n)), q);
  }
});

test('bad input: a clear error, not a wrong number', () => {
  assert.throws(() => eigenvalues([1, 2, 3], 2), /expected 4 values for a 2×2 matrix, got 3/);
  assert.throws(() => spectralRadius([1, NaN, 0, 1], 2), /expected finite values, got NaN at index 1/);
  assert.throws(() => maxSingularValue([], 0), /expected a size n ≥ 1/);
});
