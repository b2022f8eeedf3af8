// Shared by the tests: fixture paths and numeric comparison with a useful failure message.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  parseSafetensors, serializeSafetensors, tensorToFloat32, tensorToFloat64, tensorToInt32, type SafetensorsFile, type TensorToWrite,
} from '../src/format/safetensors.js';
import type { Kernels, SequenceKernels } from '../src/kernels/types.js';
import { runStack } from '../src/models/stack-file.js';

/** The repository root, from dist/test/. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export function loadFixture(path: string): SafetensorsFile {
  return parseSafetensors(readFileSync(`${ROOT}${path}`), path);
}

export interface Diff {
  /** max |a − b| / max |b|: the error relative to the tensor's scale */
  normwise: number;
  /** max over elements of |a − b| / (|b| + 1e-3·max|b|): relative per element, floored near zero */
  elementwise: number;
  worst: number;
}

export function compare(actual: ArrayLike<number>, expected: ArrayLike<number>): Diff {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} != ${expected.length}`);
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]!));
  let maxAbs = 0;
  let elementwise = 0;
  let worst = -1;
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(actual[i]! - expected[i]!);
    if (Number.isNaN(d)) return { normwise: Infinity, elementwise: Infinity, worst: i };
    maxAbs = Math.max(maxAbs, d);
    const e = d / (Math.abs(expected[i]!) + 1e-3 * scale || 1);
    if (e > elementwise) { elementwise = e; worst = i; }
  }
  return { normwise: scale === 0 ? maxAbs : maxAbs / scale, elementwise, worst };
}

export function describeDiff(name: string, actual: ArrayLike<number>, expected: ArrayLike<number>, d: Diff): string {
  const head = (a: ArrayLike<number>) => Array.from({ length: Math.min(5, a.length) }, (_, i) => a[i]!.toPrecision(7)).join(', ');
  return `${name}: relative error ${d.normwise.toExponential(2)} (element ${d.worst}: ${d.elementwise.toExponential(2)})\n` +
    `  actual   [${head(actual)}, ...]\n  expected [${head(expected)}, ...]`;
}

export function floats(file: SafetensorsFile, name: string): Float64Array {
  const t = file.tensors.get(name);
  if (!t) throw new Error(`fixture has no tensor ${name}`);
  return tensorToFloat64(t, name);
}

/** The largest relative difference between `grad` and central differences of `loss` with respect to
 *  each element of `values` (changed in place and restored), |a − n| / max(|a|, |n|, 1e-3). */
export function finiteDifferenceError(values: { [i: number]: number; length: number }, grad: ArrayLike<number>,
                                      loss: () => number, eps = 1e-5): { error: number; index: number } {
  let error = 0;
  let index = -1;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    values[i] = v + eps;
    const up = loss();
    values[i] = v - eps;
    const down = loss();
    values[i] = v;
    const numeric = (up - down) / (2 * eps);
    const e = Math.abs(numeric - grad[i]!) / Math.max(Math.abs(numeric), Math.abs(grad[i]!), 1e-3);
    if (e > error) { error = e; index = i; }
  }
  return { error, index };
}

export interface StackFixture { name: string; reference: string }

/** The cases of test/fixtures/stack/ (made by tools/fixtures/make_fixtures.py). */
export function stackFixtures(): StackFixture[] {
  return JSON.parse(readFileSync(`${ROOT}test/fixtures/stack/manifest.json`, 'utf8')) as StackFixture[];
}

/** Run one fixture through runStack with kernels k; every output must be within the bounds
 *  (relative to each tensor's largest value): `forward` for y, h_n, c_n, `backward` for gradients. */
export function checkStackFixture(c: StackFixture, k: Kernels, bounds: { forward: number; backward: number }): void {
  const dir = `test/fixtures/stack/${c.name}`;
  const expected = loadFixture(`${dir}/expected.safetensors`);
  const out = runStack({
    model: loadFixture(`${dir}/model.safetensors`),
    input: loadFixture(`${dir}/input.safetensors`),
    grad: loadFixture(`${dir}/grad.safetensors`),
  }, k);
  assert.deepEqual(out.map((t) => t.name).sort(), [...expected.tensors.keys()].sort(), 'output tensor names');
  for (const t of out) {
    const want = floats(expected, t.name);
    const got = Array.from(t.data as Float32Array);
    const d = compare(got, want);
    const bound = ['y', 'h_n', 'c_n'].includes(t.name) ? bounds.forward : bounds.backward;
    assert.ok(d.normwise <= bound, describeDiff(`${c.name} ${t.name}`, got, want, d));
  }
}

/** A safetensors file as a list of tensors that can be edited, then serialized. */
export interface Editable {
  tensors: TensorToWrite[];
  metadata: Record<string, string>;
}

/** The file at `path` as an Editable: float tensors as float32, integer ones as int32. */
export function editable(path: string): Editable {
  const file: SafetensorsFile = parseSafetensors(readFileSync(path), path);
  const tensors: TensorToWrite[] = [...file.tensors].map(([name, t]) => (
    t.dtype === 'I64' || t.dtype === 'I32'
      ? { name, shape: t.shape, data: tensorToInt32(t, name), dtype: t.dtype }
      : { name, shape: t.shape, data: tensorToFloat32(t, name) }
  ));
  return { tensors, metadata: { ...file.metadata } };
}

/** An Editable's bytes. */
export const bytesOf = (e: Editable): Uint8Array => serializeSafetensors(e.tensors, e.metadata);

/**
 * k whose fused loops count their calls, and those given per-row lengths (a loop's last argument),
 * so a test can assert that a run took the fused path, with the lengths, not the step loops.
 */
export function countingFusedCalls(k: Kernels): { kernels: Kernels; calls: () => number; withLengths: () => number } {
  let calls = 0, withLengths = 0;
  const wrapped = {} as Record<string, unknown>;
  for (const f of Object.keys(k.sequence!) as (keyof SequenceKernels)[]) {
    const fn = k.sequence![f] as (...a: unknown[]) => void;
    wrapped[f] = (...a: unknown[]) => {
      calls++;
      if (a[a.length - 1] instanceof Int32Array) withLengths++;
      fn(...a);
    };
  }
  return { kernels: Object.assign(Object.create(k) as Kernels, { sequence: wrapped }), calls: () => calls, withLengths: () => withLengths };
}
