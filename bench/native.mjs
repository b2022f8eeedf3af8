#!/usr/bin/env node
// `npm run bench:native`: the native backend (kernels/native) against PyTorch side by side, the
// issue's native targets checked, and the result written into its section of BENCHMARKS.md
// (between the `native:start` and `native:end` markers; bench/report.mjs keeps that section when
// `npm run bench` rewrites the file). About 5 minutes on 2 cores with the default 3 repeats.
//
//   node bench/native.mjs [--no-build] [--repeats N] [--seconds S] [--quick] [--out BENCHMARKS.md] [--json file]
//
// Rows: training (the standard workload, bench/README.md) LSTM H = 256 and 512, GRU and RNN H = 256
// on 1 and 2 threads; batch-1 generation of each cell at H = 256 on 1 thread; the addon's gemm rate
// on the training products (`recur bench --mode gemm`) beside the end-to-end rate, and the machine's
// peak (cores × vector lanes × 2 × FMA units × clock, the per-core rate measured by a register-only
// multiply-add loop in thread CPU time). Each configuration runs recur then PyTorch back to back;
// the whole matrix is repeated (interleaved) and every figure is the median of the repeats, ratios
// the median of the per-repeat pairs. --quick: one repeat of 1 s (a smoke test, written to a
// temporary file unless --out says otherwise).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values: opt } = parseArgs({
  options: {
    'no-build': { type: 'boolean', default: false }, quick: { type: 'boolean', default: false },
    repeats: { type: 'string' }, seconds: { type: 'string' }, out: { type: 'string' }, json: { type: 'string' },
  },
  strict: true,
});
const PYTHON = process.env.RECUR_BENCH_PYTHON ?? '/usr/bin/python3';
const REPEATS = opt.quick ? 1 : Math.max(1, Number(opt.repeats ?? 3));
const SECONDS = opt.seconds ?? (opt.quick ? '1' : '1.5');
const OUT = opt.out ?? (opt.quick ? join(tmpdir(), 'recur-BENCHMARKS-native-quick.md') : join(ROOT, 'BENCHMARKS.md'));
const BIN = join(ROOT, 'bin/recur.js');
const log = (s) => process.stderr.write(`${s}\n`);

if (!opt['no-build']) {
  log('$ npm run build');
  if (spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] }).status !== 0) process.exit(1);
}
const native = await import(pathToFileURL(join(ROOT, 'dist/src/kernels/native/index.js')).href);
const why = await native.nativeUnavailable();
if (why !== undefined) {
  log(`bench:native: the native addon is unavailable: ${why}`);
  process.exit(1);
}
const k = await native.loadNativeKernels();
const peak = k.measurePeak();
const isa = k.isa;
k.dispose();
const cores = availableParallelism();
const torchVersion = (() => {
  try {
    return execFileSync(PYTHON, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch { return undefined; }
})();

/** Run a command printing one JSON object last; the load average beside it. */
function runJson(file, args, env = {}) {
  const load = loadavg()[0];
  const p = spawnSync(file, args, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120e3 });
  if (p.status !== 0) return { error: (p.stderr || String(p.error)).trim().split('\n').at(-1) };
  try {
    return { ...JSON.parse(p.stdout.trim().split('\n').at(-1)), load };
  } catch { return { error: 'no JSON' }; }
}
const recur = (cell, hidden, mode, threads) => runJson(process.execPath, [BIN, 'bench', '--json', '--backend', 'native',
  '--cell', cell, '--hidden', String(hidden), '--mode', mode, '--threads', String(threads), '--seconds', SECONDS, '--warmup', '0.3']);
const torch = (cell, hidden, mode, threads) => (torchVersion === undefined ? { error: `no torch in ${PYTHON}` }
  : runJson(PYTHON, [join(ROOT, 'bench/peers/torch_bench.py'), '--cell', cell, '--hidden', String(hidden), '--mode', mode,
                     '--threads', String(threads), '--seconds', SECONDS, '--warmup', '0.3'], { OMP_WAIT_POLICY: 'passive' }));

// id, cell, H, mode, threads, and what it is compared with
const TRAIN = [['lstm', 256], ['lstm', 512], ['gru', 256], ['rnn', 256]];
const configs = [];
for (const threads of [1, 2]) for (const [cell, h] of TRAIN) configs.push({ id: `${cell}-${h}-train-${threads}`, cell, h, mode: 'train', threads });
for (const cell of ['lstm', 'gru', 'rnn']) configs.push({ id: `${cell}-256-generate-1`, cell, h: 256, mode: 'generate', threads: 1 });
for (const h of [256, 512]) configs.push({ id: `lstm-${h}-gemm-1`, cell: 'lstm', h, mode: 'gemm', threads: 1, alone: true });

const runs = Object.fromEntries(configs.map((c) => [c.id, []]));
const started = new Date();
const loadBefore = loadavg();
for (let rep = 1; rep <= REPEATS; rep++) {
  log(`## repeat ${rep} of ${REPEATS}`);
  for (const c of configs) {
    const a = recur(c.cell, c.h, c.mode, c.threads);
    const b = c.alone ? undefined : torch(c.cell, c.h, c.mode, c.threads);
    runs[c.id].push({ recur: a, torch: b });
    log(`  ${c.id}: recur ${a.tokensPerSecond ?? a.gflops ?? a.error}${b ? `, torch ${b.tokensPerSecond ?? b.error}` : ''} (load ${a.load?.toFixed(2)})`);
  }
}

const median = (xs) => {
  const s = xs.filter(Number.isFinite).sort((p, q) => p - q);
  if (s.length === 0) return undefined;
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const num = (x) => (x === undefined ? '–' : x >= 100 ? Math.round(x).toLocaleString('en-US') : x.toFixed(1));
const times = (x) => (x === undefined ? '–' : `${x.toFixed(2)}×`);
const summary = {};
for (const c of configs) {
  const rs = runs[c.id];
  summary[c.id] = {
    recur: median(rs.map((r) => r.recur.tokensPerSecond ?? r.recur.gflops)),
    torch: median(rs.map((r) => r.torch?.tokensPerSecond)),
    ratio: median(rs.map((r) => r.recur.tokensPerSecond / r.torch?.tokensPerSecond)),
    ratioCpu: median(rs.map((r) => r.recur.tokensPerCpuSecond / r.torch?.tokensPerCpuSecond)),
    ratios: rs.map((r) => r.recur.tokensPerSecond / r.torch?.tokensPerSecond).filter(Number.isFinite),
    gflops: median(rs.map((r) => r.recur.gflops)),
    // GFLOP per CPU-second: training from its tokens per CPU-second, gemm from the CPU share it got
    gflopsCpu: median(rs.map((r) => (r.recur.tokensPerCpuSecond !== undefined ? r.recur.gflops * r.recur.tokensPerCpuSecond / r.recur.tokensPerSecond
      : r.recur.cpuShare > 0 ? r.recur.gflops / Math.min(1, r.recur.cpuShare) : NaN))),
    errors: rs.flatMap((r) => [r.recur.error, r.torch?.error]).filter(Boolean),
  };
}

// the targets
const checks = [];
const need = (label, ids, min) => {
  const rs = ids.map((id) => summary[id].ratio);
  checks.push({ label, met: rs.every((r) => r !== undefined && r >= min),
                detail: `${ids.map((id, i) => `${id.replace(/-(train|generate)-\d$/, '')} ${times(rs[i])}`).join(', ')}; needs ${min}×` });
};
need('1 thread: LSTM H=256 and 512, GRU and RNN H=256 ≥ 1.2× PyTorch 1 thread', TRAIN.map(([c, h]) => `${c}-${h}-train-1`), 1.2);
need('2 threads: every cell at H=256 and LSTM H=512 ≥ 1.2× PyTorch 2 threads', TRAIN.map(([c, h]) => `${c}-${h}-train-2`), 1.2);
need('batch-1 generation ≥ 5× PyTorch', ['lstm', 'gru', 'rnn'].map((c) => `${c}-256-generate-1`), 5);
const e2e = [256, 512].map((h) => ({ h, train: summary[`lstm-${h}-train-1`].gflops, gemm: summary[`lstm-${h}-gemm-1`].gflops,
                                     trainCpu: summary[`lstm-${h}-train-1`].gflopsCpu, gemmCpu: summary[`lstm-${h}-gemm-1`].gflopsCpu }));
checks.push({ label: '≥ 80% of the addon\'s own gemm rate end to end (LSTM, 1 thread)',
              met: e2e.every((x) => x.train / x.gemm >= 0.8),
              detail: e2e.map((x) => `H=${x.h}: ${num(x.train)} of ${num(x.gemm)} GFLOP/s (${x.train && x.gemm ? Math.round(100 * x.train / x.gemm) : '–'}%; per CPU-second ${num(x.trainCpu)} of ${num(x.gemmCpu)})`).join(', ') });

const load = loadavg();
// the benchmark's own threads raise the load to 1–2; the load before it started says whether other work shared the cores
const quiet = loadBefore[0] <= cores * 0.5;
const machinePeak = cores * peak.gflopsPerCore;
const lines = [
  '<!-- native:start (written by bench/native.mjs: npm run bench:native) -->',
  '## The native backend against PyTorch',
  '',
  `Measured ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC by \`npm run bench:native\` (${REPEATS} interleaved repeats of ${SECONDS} s; medians), ` +
  `kernels native (${isa}), PyTorch ${torchVersion ?? 'not installed'} (OMP_WAIT_POLICY=passive), ${cores} cores, ` +
  `load average ${loadBefore[0].toFixed(2)} before the run and ${load[0].toFixed(2)} at its end (its own threads)${quiet ? '' : ' — **a loaded machine: these numbers are noisy**'}.`,
  '',
  `Peak: ${cores} cores × ${peak.lanes} lanes × 2 FLOPs × ${peak.fmaUnits} FMA units × ${peak.ghz.toFixed(2)} GHz ≈ ${num(machinePeak)} GFLOP/s ` +
  `(one core's register-only multiply-add loop: ${num(peak.gflopsPerCore)} GFLOP/s, in thread CPU time).`,
  '',
  '| training (tokens/s) | threads | native | PyTorch | native ÷ PyTorch (median; repeats) | per CPU-second |',
  '|---|---|---|---|---|---|',
  ...configs.filter((c) => c.mode === 'train').map((c) => {
    const s = summary[c.id];
    return `| ${c.cell.toUpperCase()} H=${c.h} | ${c.threads} | ${num(s.recur)} | ${num(s.torch)} | ${times(s.ratio)} (${s.ratios.map((r) => r.toFixed(2)).join(', ')}) | ${times(s.ratioCpu)} |`;
  }),
  '',
  '| batch-1 generation (tokens/s) | native | PyTorch | native ÷ PyTorch |',
  '|---|---|---|---|',
  ...configs.filter((c) => c.mode === 'generate').map((c) => {
    const s = summary[c.id];
    return `| ${c.cell.toUpperCase()} H=${c.h} | ${num(s.recur)} | ${num(s.torch)} | ${times(s.ratio)} |`;
  }),
  '',
  '| LSTM, 1 thread | gemm on the training products (GFLOP/s) | end to end (GFLOP/s) | end to end ÷ gemm | gemm ÷ one core\'s peak | the same per CPU-second: gemm, end to end, ÷ peak |',
  '|---|---|---|---|---|---|',
  ...e2e.map((x) => `| H=${x.h} | ${num(x.gemm)} | ${num(x.train)} | ${x.train && x.gemm ? `${Math.round(100 * x.train / x.gemm)}%` : '–'} | ${x.gemm ? `${Math.round(100 * x.gemm / peak.gflopsPerCore)}%` : '–'} | ` +
                    `${num(x.gemmCpu)}, ${num(x.trainCpu)}, ${x.gemmCpu ? `${Math.round(100 * x.gemmCpu / peak.gflopsPerCore)}%` : '–'} |`),
  '',
  '| target | met | detail |',
  '|---|---|---|',
  ...checks.map((c) => `| ${c.label} | ${c.met ? 'yes' : '**no**'} | ${c.detail} |`),
  ...(Object.values(summary).some((s) => s.errors.length) ? ['', `Errors: ${[...new Set(Object.values(summary).flatMap((s) => s.errors))].join('; ')}`] : []),
  '<!-- native:end -->',
];
const section = lines.join('\n');
const old = existsSync(OUT) ? readFileSync(OUT, 'utf8') : '';
const re = /<!-- native:start[\s\S]*?<!-- native:end -->/;
writeFileSync(OUT, re.test(old) ? old.replace(re, section) : `${old.trimEnd()}${old ? '\n\n' : ''}${section}\n`);
if (opt.json) writeFileSync(opt.json, JSON.stringify({ started, peak, cores, isa, torchVersion, runs, summary, checks }, null, 1));
log(`\n${section}\n\nwritten to ${OUT}`);
