#!/usr/bin/env node
// Markdown tables of the numbers in docs/gradients.md, from the JSON that run_experiments.sh wrote.
//   node tools/analysis/summarize_experiments.mjs [/tmp/recur-experiments]
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2] ?? '/tmp/recur-experiments';
const json = (f) => JSON.parse(readFileSync(join(dir, f), 'utf8'));
const lines = (f) => readFileSync(join(dir, f), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const e = (v, p = 3) => (v === null || v === undefined ? '—' : Math.abs(v) >= 1e-3 && Math.abs(v) < 1e5 ? Number(v.toPrecision(p + 1)).toString() : v.toExponential(p - 1));
const has = (f) => existsSync(join(dir, f));

if (has('exp1-orthogonal.json')) {
  console.log('### 1. linear RNN\n');
  console.log('| W_hh | ρ | gradNorm[0] | gradNorm[50] | gradNorm[99] | ratio [99]/[0] | ρ^99 | fitted slope | ln ρ | slope error | slope over d = 50…99 | σ_max |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const w of ['orthogonal', 'uniform']) {
    for (const s of json(`exp1-${w}.json`).series) {
      const r = s.radius;
      const tail = (Math.log(s.gradNorm[99]) - Math.log(s.gradNorm[50])) / 49;
      console.log(`| ${w} | ${r} | ${e(s.gradNorm[0], 5)} | ${e(s.gradNorm[50])} | ${e(s.gradNorm[99])} | ${e(s.ratio)} | ${e(r ** 99)} | ${s.logSlope.toFixed(6)} | ${Math.log(r).toFixed(6)} | ${(100 * Math.abs(s.logSlope / Math.log(r) - 1)).toPrecision(2)}% | ${tail.toFixed(4)} | ${s.weights[0].maxSingularValue.toFixed(4)} |`);
    }
  }
  console.log();
}
if (has('exp2.json')) {
  console.log('### 2. cells at T = 100\n');
  const seeds = [1, 2, 3, 4].filter((s) => has(`exp2-seed${s}.json`)).map((s) => json(`exp2-seed${s}.json`));
  console.log('| cell | gradNorm[99] / gradNorm[0] (seed 0) | rate per step | seeds 1–4: ratio range | max ρ(W_hh block) | max σ(W_hh block) |');
  console.log('|---|---|---|---|---|---|');
  const all = [...json('exp2.json').series, ...(has('exp2-lstm-forget-bias.json') ? [json('exp2-lstm-forget-bias.json')] : [])];
  for (const s of all) {
    const others = seeds.map((j) => j.series.find((t) => t.label === s.label)?.ratio).filter((v) => v !== undefined);
    const range = others.length ? `${e(Math.min(...others), 2)} … ${e(Math.max(...others), 2)}` : '—';
    const rho = s.weights.length ? Math.max(...s.weights.map((w) => w.spectralRadius)).toFixed(3) : '— (no W_hh)';
    const sig = s.weights.length ? Math.max(...s.weights.map((w) => w.maxSingularValue)).toFixed(3) : '—';
    console.log(`| ${s.label} | ${e(s.ratio)} | ${s.rate.toFixed(4)} | ${range} | ${rho} | ${sig} |`);
    if (s.jacobian) console.log(`|  ↳ γ_k = ‖diag(f′(z_k)) W_hhᵀ‖: geometric mean ${s.jacobian.geometricMean.toFixed(4)} | | | | | |`);
  }
  console.log();
}
const runs = (f) => lines(f).filter((l) => l.event === 'end');
for (const [name, f] of [['3. clipping, Adam', 'exp3-adam.jsonl'], ['3. clipping, SGD', 'exp3-sgd.jsonl']]) {
  if (!has(f)) continue;
  console.log(`### ${name}\n`);
  console.log('| run | solved at | diverged at | best val MSE | final val MSE | mean ‖g‖ over the first 100 steps | mean ‖g‖ over the last 100 |');
  console.log('|---|---|---|---|---|---|---|');
  const evals = lines(f).filter((l) => l.event === 'eval');
  for (const r of runs(f)) {
    const ev = evals.filter((l) => l.run === r.run);
    console.log(`| ${r.run} | ${r.solvedAt ?? '—'} | ${r.diverged ?? '—'} | ${e(r.bestValLoss)} | ${e(r.finalValLoss)} | ${ev.length ? e(ev[0].gradNorm) : '—'} | ${ev.length ? e(ev.at(-1).gradNorm) : '—'} |`);
  }
  console.log();
}
if (has('exp4-T50.jsonl')) {
  for (const [title, prefix] of [['lr 0.01', 'exp4-T'], ['lr 0.001', 'exp4-lr0.001-T']]) {
    console.log(`### 4. adding problem, ${title}: the step at which validation MSE < 0.01 (— = not within 5000; best MSE in brackets)\n`);
    const table = new Map();
    for (const T of [50, 100, 200]) {
      if (!has(`${prefix}${T}.jsonl`)) continue;
      for (const r of runs(`${prefix}${T}.jsonl`)) {
        if (!table.has(r.cell)) table.set(r.cell, {});
        table.get(r.cell)[T] = r.solvedAt ?? `— (${e(r.bestValLoss, 2)})`;
      }
      if (title === 'lr 0.01' && has(`exp4-irnn-T${T}.jsonl`)) {
        for (const r of runs(`exp4-irnn-T${T}.jsonl`)) {
          if (!table.has('IRNN (relu, W_hh = I), lr 0.001')) table.set('IRNN (relu, W_hh = I), lr 0.001', {});
          table.get('IRNN (relu, W_hh = I), lr 0.001')[T] = r.solvedAt ?? `— (${e(r.bestValLoss, 2)})`;
        }
      }
    }
    console.log('| cell | T = 50 | T = 100 | T = 200 |');
    console.log('|---|---|---|---|');
    for (const [cell, v] of table) console.log(`| ${cell} | ${v[50] ?? ''} | ${v[100] ?? ''} | ${v[200] ?? ''} |`);
    console.log();
  }
}
