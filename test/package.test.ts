// What `npm publish` would ship, from `npm pack --dry-run --json`: no compiled tests, no source map
// that points at a file left out, the LICENSE, every path package.json names (exports, bin, types,
// main), and a README that states the tarball's size as it is (within a quarter).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { before, test } from 'node:test';
import { ROOT } from './helpers.js';

interface Packed { size: number; unpackedSize: number; files: { path: string }[] }

let packed: Packed;
let paths: Set<string>;
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  license: string; main: string; types: string; bin: Record<string, string>; exports: unknown;
};

before(() => {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(npm, ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, `npm pack --dry-run failed: ${r.stderr}`);
  packed = (JSON.parse(r.stdout) as Packed[])[0]!;
  paths = new Set(packed.files.map((f) => f.path));
});

test('the tarball holds the library, its sources and no tests', () => {
  for (const p of ['dist/src/index.js', 'dist/src/index.d.ts', 'src/index.ts', 'bin/recur.js', 'dist/src/kernels/wasm/worker.js']) {
    assert.ok(paths.has(p), `${p} is packed`);
  }
  const tests = [...paths].filter((p) => /\.test\.|(^|\/)test\/|(^|\/)testdata\//.test(p));
  assert.deepEqual(tests, [], 'no test files or test data are packed');
  assert.ok(![...paths].some((p) => p.startsWith('dist/') && !p.startsWith('dist/src/') && !/^dist\/native\/recur-[\w-]+\.node$/.test(p)),
            'only dist/src and the native addon of dist');
});

test('the native addon built here is packed (npm pack runs the build first: prepack), its objects are not', (t) => {
  const built = `dist/native/recur-${process.platform}-${process.arch}.node`;
  if (!existsSync(join(ROOT, built))) {
    t.skip(`${built} is not built here (no g++): the package then runs on WebAssembly`);
    return;
  }
  assert.ok(paths.has(built), `${built} is packed`);
  assert.ok(![...paths].some((p) => p.startsWith('dist/native/obj/')), 'no object files');
});

test('every source map and every sourceMappingURL points at a packed file', () => {
  const maps = [...paths].filter((p) => p.endsWith('.map'));
  assert.ok(maps.length > 50, `found ${maps.length} maps`);
  for (const m of maps) {
    const map = JSON.parse(readFileSync(join(ROOT, m), 'utf8')) as { sources: string[]; sourceRoot?: string };
    assert.ok(map.sources.length > 0, `${m} names its sources`);
    for (const s of map.sources) {
      const target = posix.normalize(posix.join(posix.dirname(m), map.sourceRoot ?? '', s));
      assert.ok(paths.has(target), `${m} points at ${target}, which is not packed`);
    }
  }
  for (const f of [...paths].filter((p) => /\.(js|d\.ts)$/.test(p) && p.startsWith('dist/'))) {
    const url = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(readFileSync(join(ROOT, f), 'utf8'))?.[1];
    if (url === undefined) continue;
    const target = posix.normalize(posix.join(posix.dirname(f), url));
    assert.ok(paths.has(target), `${f} names the map ${target}, which is not packed`);
  }
});

test('the MIT LICENSE is packed, as package.json says', () => {
  assert.equal(pkg.license, 'MIT');
  assert.ok(paths.has('LICENSE'));
  const text = readFileSync(join(ROOT, 'LICENSE'), 'utf8');
  assert.match(text, /^MIT License/);
  assert.match(text, /Copyright \(c\) \d{4} the recur authors/);
});

/** Every string value under an "exports" entry (conditions nest). */
function targets(e: unknown): string[] {
  if (typeof e === 'string') return [e];
  if (e && typeof e === 'object') return Object.values(e).flatMap(targets);
  return [];
}

test('every path package.json names (exports, bin, types, main) is packed', () => {
  const named = [...targets(pkg.exports), ...Object.values(pkg.bin), pkg.types, pkg.main];
  assert.ok(named.length >= 6, named.join(', '));
  for (const n of named) {
    const p = posix.normalize(n);
    if (p === 'package.json') continue; // always packed, never listed
    if (p.includes('*')) {
      const [head, tail] = p.split('*') as [string, string];
      assert.ok([...paths].some((f) => f.startsWith(head) && f.endsWith(tail)), `${n} matches a packed file`);
    } else {
      assert.ok(paths.has(p), `${n} is packed`);
    }
  }
  assert.ok(Object.keys(pkg.exports as object).includes('./kernel-worker'), 'the kernel worker is reachable for bundlers');
});

test("the README states the tarball's size (packed and unpacked) within a quarter of what it is", () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const m = /tarball is about ([\d.]+) MB packed and ([\d.]+) MB unpacked/.exec(readme);
  assert.ok(m, 'README: "the tarball is about X MB packed and Y MB unpacked"');
  const near = (said: number, is: number, what: string) =>
    assert.ok(Math.abs(said * 1e6 - is) <= 0.25 * is, `README says ${said} MB ${what}, npm pack says ${(is / 1e6).toFixed(2)} MB`);
  near(Number(m[1]), packed.size, 'packed');
  near(Number(m[2]), packed.unpackedSize, 'unpacked');
});
