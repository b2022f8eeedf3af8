/**
 * @module native/build
 * `npm run build:native`: compiles the native CPU backend (native/src, a Node-API addon) with the
 * system's g++ into dist/native/recur-<platform>-<arch>.node, which src/kernels/native loads and
 * `npm pack` ships. The kernels (isa.cpp) are compiled once per instruction set with its own flags
 * (x64: the baseline, AVX2+FMA, AVX-512; arm64: the baseline, NEON); the addon picks one at run
 * time by CPU feature. No download, no install script: Node's own headers (its install prefix's
 * include/node) and g++ are all it needs. Where either is missing it prints why and exits 0: recur
 * then runs on WebAssembly. Does nothing when the output is newer than every source (--force
 * rebuilds).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const src = join(here, 'src');
const outDir = join(root, 'dist/native');
const objDir = join(outDir, 'obj');
const out = join(outDir, `recur-${process.platform}-${process.arch}.node`);
const CXX = process.env.CXX ?? 'g++';

function skip(why) {
  console.log(`build:native: skipped: ${why} (the native backend is unavailable here; recur runs on WebAssembly)`);
  process.exit(0);
}

if (!['linux', 'darwin'].includes(process.platform)) skip(`no native build for ${process.platform}`);
if (spawnSync(CXX, ['--version'], { stdio: 'ignore' }).status !== 0) skip(`no C++ compiler (${CXX}) on PATH`);
const nodeInclude = [join(dirname(dirname(process.execPath)), 'include/node'), '/usr/include/node', '/usr/local/include/node']
  .find((d) => existsSync(join(d, 'node_api.h')));
if (!nodeInclude) skip(`no Node-API headers (node_api.h) in ${join(dirname(dirname(process.execPath)), 'include/node')}`);

const sources = readdirSync(src).map((f) => join(src, f)).concat(fileURLToPath(import.meta.url));
if (existsSync(out) && !process.argv.includes('--force') &&
    sources.every((f) => statSync(f).mtimeMs <= statSync(out).mtimeMs)) {
  console.log('build:native: up to date');
  process.exit(0);
}

const common = ['-std=c++17', '-O3', '-fPIC', '-fvisibility=hidden', '-fno-strict-aliasing', '-Wall', '-Wextra',
                `-I${nodeInclude}`, '-DNAPI_VERSION=8'];
const isa = (name, table, flags) => ({
  name: `isa-${name}`, file: 'isa.cpp', flags: [...flags, `-DRECUR_TABLE=${table}`, `-DRECUR_NAME="${name}"`],
});
const units = [
  { name: 'addon', file: 'addon.cpp', flags: [] }, { name: 'ops', file: 'ops.cpp', flags: [] },
  { name: 'sequence', file: 'sequence.cpp', flags: [] }, { name: 'pool', file: 'pool.cpp', flags: [] },
  isa('generic', 'recurTableGeneric', []),
];
if (process.arch === 'x64') {
  units.push(isa('avx2', 'recurTableAvx2', ['-mavx2', '-mfma', '-DRECUR_AVX2']));
  units.push(isa('avx512', 'recurTableAvx512',
                 ['-mavx512f', '-mavx512bw', '-mavx512dq', '-mavx512vl', '-mavx2', '-mfma', '-DRECUR_AVX512']));
}

function run(args) {
  return new Promise((resolve, reject) => {
    const p = spawn(CXX, args, { stdio: ['ignore', 'inherit', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d) => { err += d; });
    p.on('close', (code) => (code === 0 ? resolve(err) : reject(new Error(`${CXX} ${args.join(' ')}\n${err}`))));
  });
}

const t0 = Date.now();
mkdirSync(objDir, { recursive: true });
const queue = [...units];
const objects = units.map((u) => join(objDir, `${u.name}.o`));
await Promise.all(Array.from({ length: Math.max(1, Math.min(availableParallelism(), units.length)) }, async () => {
  for (let u = queue.shift(); u; u = queue.shift()) {
    const warnings = await run([...common, ...u.flags, '-c', join(src, u.file), '-o', join(objDir, `${u.name}.o`)]);
    if (warnings) process.stderr.write(warnings);
  }
}));
const tmp = `${out}.tmp`;
const staticRuntime = process.platform === 'linux' ? ['-static-libstdc++', '-static-libgcc', '-s'] : [];
await run(['-shared', '-pthread', ...staticRuntime, ...(process.platform === 'darwin' ? ['-undefined', 'dynamic_lookup'] : []),
           '-o', tmp, ...objects]);
renameSync(tmp, out);
console.log(`build:native: ${out.slice(root.length + 1)} (${statSync(out).size} bytes, ${units.length} units, ${Date.now() - t0} ms)`);
