#!/usr/bin/env node
// `npm run bench`: build recur, run the benchmark matrix (bench/matrix.mjs) for recur and every
// installed peer, one process at a time, and write BENCHMARKS.md (bench/report.mjs, with the issue's
// targets checked by bench/targets.mjs).
//
//   node bench/run.mjs [--no-build] [--quick] [--repeats N] [--backend auto|wasm-relaxed-simd|wasm-simd|js]
//                      [--out BENCHMARKS.md] [--json results.json] [--from results.json]
//
// --from writes BENCHMARKS.md from a results file an earlier run wrote with --json, measuring nothing.
//
// The workload (see src/models/bench-workload.ts): char-level LM, V = 64 one-hot inputs, one
// recurrent layer of size H, linear head, mean softmax cross-entropy over B·T, B = 32, T = 35,
// SGD lr 1; and a variable-length GRU classifier (bench/matrix.mjs VARLEN_ROWS). Peers: TensorFlow.js (cpu and wasm backends, bench/peers/tfjs.mjs) and PyTorch (1 and 2
// threads, OMP_WAIT_POLICY=passive, bench/peers/torch_bench.py). A peer that is not installed is
// listed as such.
//
// The machine may be shared: every configuration is measured --repeats times (default 3), the
// repeats interleaved (the whole matrix once, then again), and the best of each kept; the load
// average is recorded with every measurement. tfjs's cpu backend (seconds per step, no target) is
// measured once. --quick: one repeat, short windows (a smoke test; its numbers are not for the table):
// it never writes BENCHMARKS.md; its report goes to $TMPDIR/recur-BENCHMARKS-quick.md (or --out).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { GENERATE_ROWS, key, TRAIN_ROWS, TRAINER_ROWS, VARLEN_ROWS } from './matrix.mjs';
import { report } from './report.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(ROOT, 'package.json'));
const { values: opt } = parseArgs({
  options: {
    build: { type: 'boolean', default: true }, 'no-build': { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false }, backend: { type: 'string', default: 'auto' },
    repeats: { type: 'string' }, from: { type: 'string' },
    out: { type: 'string' }, json: { type: 'string' },
  },
  strict: true,
});
const PYTHON = process.env.RECUR_BENCH_PYTHON ?? '/usr/bin/python3';
const q = opt.quick;
// BENCHMARKS.md is the recorded run: a --quick run (a smoke test) never writes it. Its report goes
// to a file in the system's temporary folder unless --out names another, and the path is printed.
const RECORDED = join(ROOT, 'BENCHMARKS.md');
const QUICK_OUT = join(tmpdir(), 'recur-BENCHMARKS-quick.md');
function reportPath(quick) {
  const out = opt.out ?? (quick ? QUICK_OUT : RECORDED);
  if (quick && resolve(out) === RECORDED) {
    console.error(`bench: a --quick run does not write the recorded ${relative(process.cwd(), RECORDED)}; give another --out (default ${QUICK_OUT})`);
    process.exit(2);
  }
  return out;
}
if (!opt.from) reportPath(q); // refuse before measuring
const REPEATS = q ? 1 : Math.max(1, Number(opt.repeats ?? 3));

// ------------------------------------------------------------------------------------------------
// Running one measurement

const commands = [];
const log = (s) => process.stderr.write(`${s}\n`);

/** Run a command that prints one JSON object on its last stdout line; adds the load average. */
function runJson(file, args, { env = {}, timeoutS = 300 } = {}) {
  const shown = `${Object.entries(env).map(([k, v]) => `${k}=${v} `).join('')}${file === process.execPath ? 'node' : file} ${args.map((a) => relative(ROOT, a) === '' || !a.startsWith('/') ? a : relative(ROOT, a)).join(' ')}`;
  if (!commands.includes(shown)) commands.push(shown);
  log(`$ ${shown}`);
  const load = loadavg()[0];
  const t0 = Date.now();
  const p = spawnSync(file, args, {
    cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env }, timeout: timeoutS * 1000, maxBuffer: 16 << 20,
  });
  const wall = (Date.now() - t0) / 1000;
  if (p.status !== 0) {
    const why = p.error ? p.error.message : `exit ${p.status ?? p.signal}`;
    log(`  failed (${why}): ${(p.stderr || '').trim().split('\n').slice(-3).join(' | ')}`);
    return { error: `${why}: ${(p.stderr || '').trim().split('\n').at(-1) ?? ''}`.slice(0, 200) };
  }
  try {
    const r = JSON.parse(p.stdout.trim().split('\n').at(-1));
    r.load = Math.round(load * 100) / 100;
    log(`  ${r.tokensPerSecond !== undefined ? `${Math.round(r.tokensPerSecond).toLocaleString('en-US')} tokens/s` : `${r.gflops} GFLOP/s`} (${wall.toFixed(1)} s, load ${r.load})`);
    return r;
  } catch {
    return { error: `no JSON in output: ${p.stdout.slice(0, 200)}` };
  }
}

const BIN = join(ROOT, 'bin', 'recur.js');
const seconds = q ? '0.3' : '3';
const warmup = q ? '0.1' : '0.5';
const recur = (r, mode, threads) => runJson(process.execPath, [
  BIN, 'bench', '--json', '--cell', r.cell, '--hidden', String(r.hidden), '--mode', mode,
  '--threads', String(threads), '--backend', opt.backend, '--seconds', mode === 'gemm' ? (q ? '0.5' : '2') : seconds, '--warmup', warmup,
]);
// per-row windows for tfjs's cpu backend, which needs ~5 to ~15 s per step at H ≥ 256
const tfjsCpuWindow = (r) => (r.hidden >= 256 ? ['--seconds', '1', '--warmup-steps', '1', '--min-steps', '1'] : ['--seconds', seconds, '--warmup-steps', '1', '--min-steps', '2']);
const tfjs = (r, backend) => runJson(process.execPath, [
  join(ROOT, 'bench/peers/tfjs.mjs'), '--backend', backend, '--cell', r.cell, '--hidden', String(r.hidden),
  ...(backend === 'cpu' ? tfjsCpuWindow(r) : ['--seconds', seconds, '--warmup-steps', '2', '--min-steps', '2']),
]);
const torch = (r, mode, threads) => runJson(PYTHON, [
  join(ROOT, 'bench/peers/torch_bench.py'), '--cell', r.cell, '--hidden', String(r.hidden), '--mode', mode,
  '--threads', String(threads), '--seconds', seconds, '--warmup', warmup,
], { env: { OMP_WAIT_POLICY: 'passive' } });

// ------------------------------------------------------------------------------------------------
// What is installed

function probe(fn) {
  try { return fn(); } catch { return undefined; }
}
const torchVersion = probe(() => execFileSync(PYTHON, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
const tfjsVersion = probe(() => require('@tensorflow/tfjs/package.json').version);
const tfjsWasmVersion = probe(() => require('@tensorflow/tfjs-backend-wasm/package.json').version);
const PEERS = {
  'tfjs-cpu': { installed: tfjsVersion !== undefined, missing: 'npm install (devDependency @tensorflow/tfjs)' },
  'tfjs-wasm': { installed: tfjsVersion !== undefined && tfjsWasmVersion !== undefined, missing: 'npm install (devDependency @tensorflow/tfjs-backend-wasm)' },
  torch: { installed: torchVersion !== undefined, missing: `no torch in ${PYTHON}` },
};

// ------------------------------------------------------------------------------------------------
// Run

const saved = opt.from ? JSON.parse(readFileSync(opt.from, 'utf8')) : undefined;
const results = saved?.results ?? {}; // results[id][rowKey] = the best measurement, or { error } / { notInstalled }
const runs = saved?.runs ?? {};       // runs[id][rowKey] = every measurement
let started, finished, loadStart, loadEnd, info;
if (saved) {
  ({ loadStart, loadEnd } = saved);
  started = new Date(saved.started);
  finished = new Date(saved.finished);
  info = saved.info;
  commands.push(...saved.commands);
} else {
  started = new Date();
  loadStart = loadavg();
  measureAll();
  finished = new Date();
  loadEnd = loadavg();
}

/** Build, then measure every configuration REPEATS times (interleaved), keeping the best. */
function measureAll() {
  if (opt.build && !opt['no-build']) {
    commands.push('npm run build');
    log('$ npm run build');
    const b = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
    if (b.status !== 0) { log('build failed'); process.exit(1); }
  }
  info = probe(() => execFileSync(process.execPath, [BIN, 'info', '--backend', opt.backend], { cwd: ROOT, encoding: 'utf8' }).trim());

  // every configuration: [id, row, () => measurement]; measured REPEATS times, interleaved
  const configs = [];
  const peer = (name, fn) => (PEERS[name].installed ? fn : () => ({ notInstalled: PEERS[name].missing }));
  for (const r of TRAIN_ROWS) {
    configs.push(['recur-1', r, () => recur(r, 'train', 1)]);
    configs.push(['recur-2', r, () => recur(r, 'train', 2)]);
    configs.push(['gemm-1', r, () => recur(r, 'gemm', 1)]);
    configs.push(['gemm-2', r, () => recur(r, 'gemm', 2)]);
    configs.push(['torch-1', r, peer('torch', () => torch(r, 'train', 1))]);
    configs.push(['torch-2', r, peer('torch', () => torch(r, 'train', 2))]);
    configs.push(['tfjs-wasm', r, peer('tfjs-wasm', () => tfjs(r, 'wasm'))]);
  }
  for (const r of VARLEN_ROWS) {
    configs.push(['recur-1', r, () => recur(r, 'classify', 1)]);
    configs.push(['recur-2', r, () => recur(r, 'classify', 2)]);
    configs.push(['torch-1', r, peer('torch', () => torch(r, 'classify', 1))]);
    configs.push(['torch-2', r, peer('torch', () => torch(r, 'classify', 2))]);
  }
  for (const r of TRAINER_ROWS) {
    for (const t of [1, 2]) {
      configs.push([`lm-trainer-${t}`, r, () => recur(r, 'lm-trainer', t)]);
      configs.push([`fit-${t}`, r, () => recur(r, 'fit', t)]);
    }
  }
  for (const r of GENERATE_ROWS) {
    configs.push(['gen-recur-1', r, () => recur(r, 'generate', 1)]);
    configs.push(['gen-recur-2', r, () => recur(r, 'generate', 2)]);
    configs.push(['gen-torch-1', r, peer('torch', () => torch(r, 'generate', 1))]);
  }

  function put(id, r, m) {
    ((runs[id] ??= {})[key(r)] ??= []).push(m);
    const old = (results[id] ??= {})[key(r)];
    if (old === undefined || rate(old) === undefined || (rate(m) !== undefined && rate(m) > rate(old))) results[id][key(r)] = m;
  }
  function rate(m) {
    return m?.tokensPerSecond ?? m?.gflops;
  }
  for (let rep = 1; rep <= REPEATS; rep++) {
    log(`\n## repeat ${rep} of ${REPEATS}`);
    for (const [id, r, fn] of configs) {
      const previous = results[id]?.[key(r)];
      if (previous?.notInstalled) continue;
      put(id, r, fn());
    }
  }
  log('\n## tfjs cpu (once)');
  for (const r of TRAIN_ROWS) put('tfjs-cpu', r, peer('tfjs-cpu', () => tfjs(r, 'cpu'))());
}

// ------------------------------------------------------------------------------------------------
// Write

// a report from a saved run describes that run's repeats and windows, not this invocation's flags
const shape = saved ? { repeats: saved.repeats ?? REPEATS, quick: saved.quick ?? q } : { repeats: REPEATS, quick: q };
const outPath = reportPath(shape.quick);
const previous = existsSync(outPath) ? readFileSync(outPath, 'utf8') : '';
writeFileSync(outPath, report({ results, runs, commands, started, finished, loadStart, loadEnd, info, ...shape, python: PYTHON,
                                torchVersion, tfjsVersion, tfjsWasmVersion }, previous));
if (opt.json) {
  writeFileSync(opt.json, `${JSON.stringify({ started, finished, loadStart, loadEnd, info, ...shape, results, runs, commands }, null, 2)}\n`);
}
log(`\nwrote ${relative(process.cwd(), outPath) || outPath}${shape.quick ? ' (a --quick run: BENCHMARKS.md, the recorded run, is left as it was)' : ''}`);
