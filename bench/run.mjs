#!/usr/bin/env node
// `npm run bench`: build recur, run the benchmark matrix for recur and every installed peer, one
// process at a time, and write BENCHMARKS.md.
//
//   node bench/run.mjs [--no-build] [--quick] [--backend auto|wasm-relaxed-simd|wasm-simd|js]
//                      [--out BENCHMARKS.md] [--json results.json]
//
// The workload (see src/models/bench-workload.ts): char-level LM, V = 64 one-hot inputs, one
// recurrent layer of size H, linear head, mean softmax cross-entropy over B·T, B = 32, T = 35,
// SGD lr 1. Peers: TensorFlow.js (cpu and wasm backends, bench/peers/tfjs.mjs) and PyTorch (1 and 2
// threads, OMP_WAIT_POLICY=passive, bench/peers/torch_bench.py). A peer that is not installed is
// listed as such. --quick shortens every window (a smoke test; its numbers are not for the table).
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(ROOT, 'package.json'));
const { values: opt } = parseArgs({
  options: {
    build: { type: 'boolean', default: true }, 'no-build': { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false }, backend: { type: 'string', default: 'auto' },
    out: { type: 'string', default: join(ROOT, 'BENCHMARKS.md') }, json: { type: 'string' },
  },
  strict: true,
});
const PYTHON = process.env.RECUR_BENCH_PYTHON ?? '/usr/bin/python3';
const q = opt.quick;

// ------------------------------------------------------------------------------------------------
// The matrix

const TRAIN_ROWS = [
  { cell: 'lstm', hidden: 64 }, { cell: 'lstm', hidden: 256 }, { cell: 'lstm', hidden: 512 },
  { cell: 'gru', hidden: 256 }, { cell: 'rnn', hidden: 256 },
];
const GENERATE_ROWS = [{ cell: 'lstm', hidden: 256 }, { cell: 'gru', hidden: 256 }, { cell: 'rnn', hidden: 256 }];
const label = (r) => `${r.cell.toUpperCase()} H=${r.hidden}`;
const key = (r) => `${r.cell}-${r.hidden}`;

// Peer figures measured on this kind of machine, quoted by the issue (training tokens/s).
const ISSUE_PEERS = {
  'torch-1': { 'lstm-64': 148e3, 'lstm-256': 29e3, 'lstm-512': 7.5e3, 'gru-256': 36e3, 'rnn-256': 98e3 },
  'torch-2': { 'lstm-64': 134e3, 'lstm-256': 34e3, 'lstm-512': 9.5e3, 'gru-256': 26e3, 'rnn-256': 110e3 },
  'tfjs-wasm': { 'lstm-64': 9.2e3, 'lstm-256': 750, 'lstm-512': 190, 'gru-256': 1.2e3, 'rnn-256': 3.5e3 },
  'tfjs-cpu': { 'lstm-64': 1.5e3, 'lstm-256': 230, 'lstm-512': 84, 'gru-256': 170, 'rnn-256': 940 },
};

// The targets checked at the end: recur's training tokens/s (its best of 1 and 2 threads, or the
// given thread count) against a peer measured in the same run, on every training row. EDIT HERE if
// the issue's targets change; each one is printed with "met" or "not met" and the worst row.
const TARGETS = [
  { text: 'recur (1 thread) is faster than TensorFlow.js wasm on every training row', recur: 'recur-1', peer: 'tfjs-wasm', ratio: 1 },
  { text: 'recur (1 thread) is faster than TensorFlow.js cpu on every training row', recur: 'recur-1', peer: 'tfjs-cpu', ratio: 1 },
  { text: 'recur (1 thread) reaches at least half of PyTorch (1 thread) on every training row', recur: 'recur-1', peer: 'torch-1', ratio: 0.5 },
  { text: 'recur (2 threads) reaches at least half of PyTorch (2 threads) on every training row', recur: 'recur-2', peer: 'torch-2', ratio: 0.5 },
  { text: 'recur (best of 1 and 2 threads) matches PyTorch (best of 1 and 2 threads) on every training row', recur: 'recur-best', peer: 'torch-best', ratio: 1 },
];

// ------------------------------------------------------------------------------------------------
// Running one measurement

const commands = [];
const log = (s) => process.stderr.write(`${s}\n`);

/** Run a command that prints one JSON object on its last stdout line. */
function runJson(file, args, { env = {}, timeoutS = 300 } = {}) {
  const shown = `${Object.entries(env).map(([k, v]) => `${k}=${v} `).join('')}${file === process.execPath ? 'node' : file} ${args.map((a) => relative(ROOT, a) === '' || !a.startsWith('/') ? a : relative(ROOT, a)).join(' ')}`;
  commands.push(shown);
  log(`$ ${shown}`);
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
    log(`  ${Math.round(r.tokensPerSecond).toLocaleString('en-US')} tokens/s (${wall.toFixed(1)} s)`);
    return r;
  } catch {
    return { error: `no JSON in output: ${p.stdout.slice(0, 200)}` };
  }
}

const BIN = join(ROOT, 'bin', 'recur.js');
const recur = (row, mode, threads) => runJson(process.execPath, [
  BIN, 'bench', '--json', '--cell', row.cell, '--hidden', String(row.hidden), '--mode', mode,
  '--threads', String(threads), '--backend', opt.backend, '--seconds', q ? '0.3' : '3', '--warmup', q ? '0.1' : '0.5',
]);

// per-row windows for tfjs's cpu backend, which needs ~5 to ~15 s per step at H ≥ 256
const tfjsCpuWindow = (row) => (row.hidden >= 256 ? ['--seconds', '1', '--warmup-steps', '1', '--min-steps', '1'] : ['--seconds', q ? '0.3' : '3', '--warmup-steps', '1', '--min-steps', '2']);
const tfjs = (row, backend) => runJson(process.execPath, [
  join(ROOT, 'bench/peers/tfjs.mjs'), '--backend', backend, '--cell', row.cell, '--hidden', String(row.hidden),
  ...(backend === 'cpu' ? tfjsCpuWindow(row) : ['--seconds', q ? '0.3' : '3', '--warmup-steps', '2', '--min-steps', '2']),
]);
const torch = (row, mode, threads) => runJson(PYTHON, [
  join(ROOT, 'bench/peers/torch_bench.py'), '--cell', row.cell, '--hidden', String(row.hidden), '--mode', mode,
  '--threads', String(threads), '--seconds', q ? '0.3' : '3', '--warmup', q ? '0.1' : '0.5',
], { env: { OMP_WAIT_POLICY: 'passive' } });

// ------------------------------------------------------------------------------------------------
// What is installed

function probe(fn) {
  try { return fn(); } catch { return undefined; }
}
const torchVersion = probe(() => execFileSync(PYTHON, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
const tfjsVersion = probe(() => require('@tensorflow/tfjs/package.json').version);
const tfjsWasmVersion = probe(() => require('@tensorflow/tfjs-backend-wasm/package.json').version);
const PEERS = [
  { id: 'tfjs-cpu', name: 'tfjs cpu', installed: tfjsVersion !== undefined, missing: 'npm install (devDependency @tensorflow/tfjs)' },
  { id: 'tfjs-wasm', name: 'tfjs wasm', installed: tfjsVersion !== undefined && tfjsWasmVersion !== undefined, missing: 'npm install (devDependency @tensorflow/tfjs-backend-wasm)' },
  { id: 'torch-1', name: 'PyTorch 1T', installed: torchVersion !== undefined, missing: `no torch in ${PYTHON}` },
  { id: 'torch-2', name: 'PyTorch 2T', installed: torchVersion !== undefined, missing: `no torch in ${PYTHON}` },
];

// ------------------------------------------------------------------------------------------------
// Run

const started = new Date();
if (opt.build && !opt['no-build']) {
  commands.push('npm run build');
  log('$ npm run build');
  const b = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  if (b.status !== 0) { log('build failed'); process.exit(1); }
}

const results = {}; // results[id][rowKey] = JSON or { error } / { notInstalled }
const put = (id, row, r) => { (results[id] ??= {})[key(row)] = r; };
for (const row of TRAIN_ROWS) {
  log(`\n# ${label(row)} train`);
  put('recur-1', row, recur(row, 'train', 1));
  put('recur-2', row, recur(row, 'train', 2));
  for (const peer of PEERS) {
    if (!peer.installed) { put(peer.id, row, { notInstalled: peer.missing }); continue; }
    const r = peer.id === 'tfjs-cpu' ? tfjs(row, 'cpu') : peer.id === 'tfjs-wasm' ? tfjs(row, 'wasm')
      : torch(row, 'train', peer.id === 'torch-1' ? 1 : 2);
    put(peer.id, row, r);
  }
}
for (const row of GENERATE_ROWS) {
  log(`\n# ${label(row)} generate`);
  put('gen-recur-1', row, recur(row, 'generate', 1));
  put('gen-torch-1', row, torchVersion === undefined ? { notInstalled: `no torch in ${PYTHON}` } : torch(row, 'generate', 1));
}
const finished = new Date();

// ------------------------------------------------------------------------------------------------
// Report

const tps = (id, row) => {
  const r = results[id]?.[key(row)];
  return r && typeof r.tokensPerSecond === 'number' ? r.tokensPerSecond : undefined;
};
for (const row of TRAIN_ROWS) {
  const best = (a, b) => (a === undefined ? b : b === undefined ? a : Math.max(a, b));
  put('recur-best', row, { tokensPerSecond: best(tps('recur-1', row), tps('recur-2', row)) });
  put('torch-best', row, { tokensPerSecond: best(tps('torch-1', row), tps('torch-2', row)) });
}
const fmt = (x) => (x === undefined ? '–' : x >= 100 || Number.isInteger(x) ? Math.round(x).toLocaleString('en-US') : x.toFixed(1));
const cell = (id, row) => {
  const r = results[id]?.[key(row)];
  if (!r) return '–';
  if (r.notInstalled) return 'not installed';
  if (r.error) return 'failed';
  return fmt(r.tokensPerSecond);
};
const ratio = (a, b) => (a === undefined || b === undefined ? '–' : `${(a / b).toFixed(a / b >= 10 ? 0 : 2)}×`);

const recurAny = Object.values(results['recur-1'] ?? {}).find((r) => r.backend);
const recurBackend = recurAny ? `${recurAny.backend} (${recurAny.dtype})` : 'unknown (every run failed)';
const threadsNotes = [...new Set(Object.values(results['recur-2'] ?? {}).map((r) => r.threadsNote).filter(Boolean))];
const cpuModel = probe(() => readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.*)$/m)?.[1]) ?? cpus()[0]?.model ?? 'unknown';
const failures = Object.entries(results).flatMap(([id, rows]) => Object.entries(rows).filter(([, r]) => r.error).map(([k, r]) => `${id} ${k}: ${r.error}`));

const lines = [];
const w = (s = '') => lines.push(s);
w('# Benchmarks');
w();
w(`Generated by \`npm run bench\` (bench/run.mjs) on ${started.toISOString().replace('T', ' ').slice(0, 16)} UTC, ${((finished - started) / 60000).toFixed(1)} minutes.${q ? ' **--quick: smoke-test windows, not for comparison.**' : ''}`);
w();
w('## Machine');
w();
w(`- CPU: ${cpuModel}, ${availableParallelism()} cores available, ${(totalmem() / 2 ** 30).toFixed(0)} GiB memory`);
w(`- Node ${process.version} (${process.platform}-${process.arch})`);
w(`- recur backend: **${recurBackend}**${threadsNotes.length ? ` (threads: ${threadsNotes.join('; ')})` : ''}`);
w(`- PyTorch: ${torchVersion ?? 'not installed'}${torchVersion ? ` (${PYTHON}, OMP_WAIT_POLICY=passive)` : ''}`);
w(`- TensorFlow.js: ${tfjsVersion ?? 'not installed'} (cpu backend), tfjs-backend-wasm ${tfjsWasmVersion ?? 'not installed'}${results['tfjs-wasm'] ? ` (${[...new Set(Object.values(results['tfjs-wasm']).map((r) => r.wasmFlavor).filter(Boolean))].join(', ') || '?'})` : ''}`);
w();
w('## Workload');
w();
w('Char-level language model: V = 64 one-hot inputs → one recurrent layer of size H → linear head → softmax cross-entropy averaged over all B·T positions; B = 32, T = 35; plain SGD, lr 1 (zero grad, loss, backward, p −= lr·g). Random tokens. Tokens/s = B·T·steps/s after warm-up. GFLOP/s counts matrix products: forward 2·G·H·(V+H) + 2·V·H per token (G = 4 LSTM, 3 GRU, 1 RNN); training 3× forward. Generation: batch 1, one token at a time (one-hot in, one step, softmax, sample, fed back).');
w();
w('## Training tokens/s');
w();
const ids = ['recur-1', 'recur-2', 'tfjs-cpu', 'tfjs-wasm', 'torch-1', 'torch-2'];
const names = ['recur 1T', 'recur 2T', 'tfjs cpu', 'tfjs wasm', 'PyTorch 1T', 'PyTorch 2T'];
w(`| workload | ${names.join(' | ')} | recur GFLOP/s (1T / 2T) |`);
w(`|---|${names.map(() => '--:').join('|')}|--:|`);
for (const row of TRAIN_ROWS) {
  const g = (id) => (results[id]?.[key(row)]?.gflops === undefined ? '–' : results[id][key(row)].gflops.toFixed(2));
  w(`| ${label(row)} | ${ids.map((id) => cell(id, row)).join(' | ')} | ${g('recur-1')} / ${g('recur-2')} |`);
}
w();
w('## recur ÷ peer (training)');
w();
w('| workload | 1T ÷ tfjs cpu | 1T ÷ tfjs wasm | 1T ÷ PyTorch 1T | 2T ÷ PyTorch 2T | best ÷ PyTorch best |');
w('|---|--:|--:|--:|--:|--:|');
for (const row of TRAIN_ROWS) {
  w(`| ${label(row)} | ${ratio(tps('recur-1', row), tps('tfjs-cpu', row))} | ${ratio(tps('recur-1', row), tps('tfjs-wasm', row))} | ${ratio(tps('recur-1', row), tps('torch-1', row))} | ${ratio(tps('recur-2', row), tps('torch-2', row))} | ${ratio(tps('recur-best', row), tps('torch-best', row))} |`);
}
w();
w('## Generation tokens/s (batch 1)');
w();
w('| workload | recur 1T | PyTorch 1T | recur ÷ PyTorch | recur GFLOP/s |');
w('|---|--:|--:|--:|--:|');
for (const row of GENERATE_ROWS) {
  const r = results['gen-recur-1']?.[key(row)];
  w(`| ${label(row)} | ${cell('gen-recur-1', row)} | ${cell('gen-torch-1', row)} | ${ratio(tps('gen-recur-1', row), tps('gen-torch-1', row))} | ${r?.gflops?.toFixed(2) ?? '–'} |`);
}
w();
w('## Targets');
w();
w('As listed in `TARGETS` in bench/run.mjs, on every training row, from this run\'s numbers:');
w();
for (const t of TARGETS) {
  const rows = TRAIN_ROWS.map((row) => ({ row, a: tps(t.recur, row), b: tps(t.peer, row) }));
  const known = rows.filter((r) => r.a !== undefined && r.b !== undefined);
  let status;
  if (known.length < rows.length) status = `**not measured** (${rows.length - known.length} of ${rows.length} rows missing a number)`;
  else {
    const worst = known.reduce((m, r) => (r.a / r.b < m.a / m.b ? r : m));
    const met = known.every((r) => r.a >= t.ratio * r.b);
    status = `**${met ? 'met' : 'not met'}** (worst: ${label(worst.row)} at ${ratio(worst.a, worst.b)}${t.ratio !== 1 ? `, needs ${t.ratio}×` : ''})`;
  }
  w(`- ${t.text}: ${status}`);
}
w();
w('The figures the issue quotes for the peers on this kind of machine (training tokens/s), next to this run\'s:');
w();
w('| workload | PyTorch 1T | PyTorch 2T | tfjs wasm | tfjs cpu |');
w('|---|--:|--:|--:|--:|');
for (const row of TRAIN_ROWS) {
  const both = (id) => `${fmt(ISSUE_PEERS[id][key(row)])} (here ${cell(id, row)})`;
  w(`| ${label(row)} | ${both('torch-1')} | ${both('torch-2')} | ${both('tfjs-wasm')} | ${both('tfjs-cpu')} |`);
}
w();
w('## Notes');
w();
w('- Each measurement is a separate process, run one after another. recur and PyTorch measure ~3 s after ~0.5 s of warm-up; tfjs wasm ~3 s after 2 steps; tfjs cpu at H ≥ 256 takes seconds per step, so it is timed over ≥ 1 s after one warm-up step (one or two steps: a coarse figure).');
w('- tfjs runs the layers API (tf.layers.lstm/gru/simpleRNN + dense, `optimizer.minimize`), with PyTorch\'s U(−1/√H, 1/√H) initialisation instead of its slow orthogonal one; its GRU resets before the recurrent product (tfjs has no reset_after), recur\'s and PyTorch\'s after; the FLOPs are the same.');
w('- recur 2T asks `recur bench` for 2 threads; a backend without threads runs on 1 and says so (see the machine section), so the two columns then differ only by noise.');
w('- The machine may be shared with other work while this runs: numbers can be a few per cent noisy.');
if (failures.length) {
  w('- Failed runs:');
  for (const f of failures) w(`  - ${f}`);
}
w();
w('## Commands');
w();
w('```');
for (const c of commands) w(c);
w('```');
writeFileSync(opt.out, `${lines.join('\n')}\n`);
if (opt.json) writeFileSync(opt.json, `${JSON.stringify({ started, finished, results, commands }, null, 2)}\n`);
log(`\nwrote ${relative(process.cwd(), opt.out) || opt.out}`);
