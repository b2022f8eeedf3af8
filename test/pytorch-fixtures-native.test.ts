/**
 * @module test/pytorch-fixtures-native
 * recur against PyTorch on the native backend: every case in test/fixtures/stack/ (see
 * pytorch-fixtures.test.ts) through runStack with each build of the native kernels this CPU runs
 * (forced by name, and checked to be the one that ran), and with the widest on 2 threads with every
 * call that can be cut between them cut (the cut path and the fused loops with per-row lengths must
 * have run); held to the float32 bounds (1e-5 forward, 1e-4 backward). Where the addon is not built
 * the suite says why it skips; where g++ and Node's headers are, it must have been built (npm test builds it).
 * `recur info` reports the choice and its reason.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { loadNativeKernels, nativeIsas, nativeUnavailable, type NativeKernels } from '../src/kernels/native/index.js';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseSafetensors } from '../src/format/safetensors.js';
import { checkStackFixture, countingFusedCalls, compare, floats, ROOT, stackFixtures } from './helpers.js';

const why = await nativeUnavailable();
const hasCompiler = spawnSync(process.env.CXX ?? 'g++', ['--version'], { stdio: 'ignore' }).status === 0;
// where native/build.mjs looks for Node-API's headers
const hasHeaders = [join(dirname(dirname(process.execPath)), 'include/node'), '/usr/include/node', '/usr/local/include/node']
  .some((d) => existsSync(join(d, 'node_api.h')));

test('the native addon is built wherever a C++ compiler and Node\'s headers are (npm test builds it)', (t) => {
  if (!hasCompiler || !hasHeaders) {
    t.skip(`no ${hasCompiler ? 'Node-API headers' : 'C++ compiler'} here, so no native build: ${why ?? 'yet the addon loads (a prebuilt one)'}`);
    return;
  }
  assert.equal(why, undefined, 'the addon loads');
});

if (why !== undefined) test('PyTorch fixtures on native', (t) => t.skip(`the native addon is unavailable: ${why}`));

const isas = await nativeIsas();
for (const [i, isa] of isas.entries()) {
  for (const threads of i === 0 ? [1, 2] : [1]) {
    const label = `native ${isa}, ${threads} thread${threads > 1 ? 's' : ''}`;
    describe(`PyTorch fixtures on ${label}`, () => {
      let k: NativeKernels;
      let counted: ReturnType<typeof countingFusedCalls>;
      before(async () => {
        k = await loadNativeKernels({ isa, threads, cores: threads, ...(threads > 1 ? { split: { gemmFlops: 0, elements: 0 } } : {}) });
        assert.equal(k.name, 'native');
        assert.equal(k.isa, isa);
        assert.equal(k.threads, threads);
        counted = countingFusedCalls(k);
      });
      after(() => {
        if (threads > 1) assert.ok(k.parallelCalls > 0, `the cut path ran (${k.parallelCalls} calls)`);
        assert.ok(counted.withLengths() > 0, `the padded fixtures ran on the fused loops (${counted.withLengths()} calls)`);
        k.dispose();
      });
      for (const c of stackFixtures()) {
        test(`${c.name} matches ${c.reference} (${label})`, () => checkStackFixture(c, counted.kernels, { forward: 1e-5, backward: 1e-4 }));
      }
    });
  }
}

test('recur info says which backend auto picked and why, and whether the native addon is available', (t) => {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/recur.js'), 'info', '--threads', '1'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  if (why === undefined) {
    assert.match(r.stdout, /^kernels native \((avx512|avx2|generic), float32\)$/m);
    assert.match(r.stdout, /^chosen auto: the native addon \(\w+\) loaded and passed its self-check$/m);
    assert.match(r.stdout, /^native available \(.*generic\)$/m);
  } else {
    t.diagnostic(`the native addon is unavailable: ${why}`);
    assert.match(r.stdout, /^chosen auto: wasm[\w-]*, the fastest WebAssembly this engine runs; not native: /m);
    assert.match(r.stdout, /^native unavailable: /m);
  }
  const named = spawnSync(process.execPath, [join(ROOT, 'bin/recur.js'), 'info', '--backend', 'wasm-simd', '--threads', '1'], { encoding: 'utf8' });
  assert.match(named.stdout, /^kernels wasm-simd \(float32\)\nchosen named by the caller$/m);
});

test('recur run --backend native: a PyTorch fixture through the CLI on the native kernels; float64 there is a usage error', (t) => {
  if (why !== undefined) { t.skip(`the native addon is unavailable: ${why}`); return; }
  const dir = join(ROOT, 'test/fixtures/stack/lstm-l3-bi-len');
  const out = join(mkdtempSync(join(tmpdir(), 'recur-native-run-')), 'out.safetensors');
  const args = [join(ROOT, 'bin/recur.js'), 'run', '--model', join(dir, 'model.safetensors'), '--input', join(dir, 'input.safetensors'),
                '--grad', join(dir, 'grad.safetensors'), '--out', out, '--backend', 'native'];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const got = parseSafetensors(new Uint8Array(readFileSync(out)));
  const want = parseSafetensors(new Uint8Array(readFileSync(join(dir, 'expected.safetensors'))));
  let n = 0;
  for (const name of want.tensors.keys()) {
    assert.ok(got.tensors.has(name), `${name} written`);
    const d = compare(floats(got, name), floats(want, name));
    assert.ok(d.normwise <= (name === 'y' || name === 'h_n' || name === 'c_n' ? 1e-5 : 1e-4), `${name}: ${d.normwise}`);
    n++;
  }
  assert.ok(n >= 5, `${n} tensors compared`);
  const bad = spawnSync(process.execPath, [...args, '--dtype', 'float64'], { encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--dtype: the native backend computes in float32, got "float64"/);
});
