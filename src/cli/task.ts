/**
 * @module cli/task
 * `recur task adding|copy`: train cells on the classic long-range benchmarks and report whether and
 * when each solves them. Comma lists (--cell, --steps, --clip) run every combination in turn.
 */
import { lineChart, PALETTE, stackVertically, type Series } from '../charts/index.js';
import { htmlReport, type Section } from '../analysis/report.js';
import { CELL_NAMES, WHH_INITS, type CellName } from '../analysis/random-model.js';
import {
  ADDING_BASELINE, ADDING_SOLVED, copyBaseline, trainTask, TASKS, type TaskLog, type TaskName, type TaskOptions,
  type TaskResult,
} from '../analysis/tasks.js';
import { OPTIMIZERS, type OptimizerKind } from '../train/optim.js';
import { parseOptions, UsageError } from './args.js';
import { BACKEND_OPTIONS, BACKENDS, backendFromOptions } from './backend.js';
import { checkOutputFile, writeAll } from './files.js';
import { cell, checkSize, choiceOption, intOption, numberOption } from './numbers.js';
import { TAGGING_USAGE, taggingCommand } from './tagging.js';

export const TASK_USAGE = `usage: recur task adding|copy --cell CELL[,CELL...] --steps T[,T...] [options]
       recur task tagging [--cell C] [--hidden H] [--epochs N] [--train N] [--lr X] [--seed S] [--json]

  adding   the adding problem (Hochreiter & Schmidhuber 1997; Le et al. 2015): T steps of (value, marker),
           two markers, predict the sum of the marked values. Predicting 1 gives MSE 0.167; solved: MSE < 0.01
  copy     copy memory (Arjovsky et al. 2016): 10 symbols, a delay of T, reproduce them. Baseline
           cross-entropy 10 ln 8/(T+20); solved: below 10% of it or 99% of the symbols right
${TAGGING_USAGE}

  --cell         rnn, gru, gru-after, lstm, residual, residual-xh (comma list: each in turn)
  --steps T      sequence length (adding) or delay (copy); comma list allowed
  --hidden H     units (default 64);  --layers L (default 1)
  --activation   tanh (default), relu, identity: rnn and residual cells
  --whh          uniform (default), orthogonal, identity: W_hh's initialisation (identity + relu = IRNN)
  --radius r     scale every W_hh gate block to spectral radius r
  --forget-bias  added to the LSTM's forget-gate bias (default 0)
  --batch B      sequences per step (default 32);  --lr (default 0.001);  --optimizer (default adam)
  --clip θ       global-norm clipping threshold, 0 = off (default 1); comma list allowed
  --budget N     training steps at most (default 2000);  --eval-every N (default 100)
  --val-size N   validation sequences (default 256);  --seed S (default 0)
  --flow-every N measure the gradient flow ‖∂L/∂h_{T−1−d}‖ (L = Σ h_{T−1}, as recur gradients) of the model
                 being trained, on the validation inputs: at step 0, every N steps (at evaluations) and at
                 the budget's end; --json adds it to the eval lines and all of it to the run's end line
  --keep-going   train the whole budget even once solved (default: stop when solved)
  --backend      ${BACKENDS.join(', ')} (default auto)
  --json         one JSON object per line: every evaluation, then a summary
  --plot out.svg      validation loss and gradient norm (before and after clipping) against step
  --report out.html   the plot and the numbers in one page`;

interface Run {
  result: TaskResult;
  label: string;
}

export async function taskCommand(args: string[]): Promise<number> {
  const [name, ...rest] = args;
  if (name === 'tagging') return taggingCommand(rest);
  if (name === undefined || name.startsWith('-')) throw new UsageError(`expected a task first: ${TASKS.join(' or ')}, or tagging`);
  const task = choiceOption(name, 'task', TASKS, 'adding') as TaskName;
  const o = parseOptions(rest, {
    cell: { type: 'string' }, steps: { type: 'string' }, hidden: { type: 'string' }, layers: { type: 'string' },
    activation: { type: 'string' }, whh: { type: 'string' }, radius: { type: 'string' }, 'forget-bias': { type: 'string' },
    batch: { type: 'string' }, lr: { type: 'string' }, optimizer: { type: 'string' }, clip: { type: 'string' },
    budget: { type: 'string' }, 'eval-every': { type: 'string' }, 'val-size': { type: 'string' }, seed: { type: 'string' },
    'keep-going': { type: 'boolean' }, 'flow-every': { type: 'string' }, ...BACKEND_OPTIONS,
    json: { type: 'boolean' }, plot: { type: 'string' }, report: { type: 'string' },
  });
  if (o.cell === undefined) throw new UsageError(`missing --cell (${CELL_NAMES.join(', ')})`);
  if (o.steps === undefined) throw new UsageError('missing --steps (sequence length or delay T)');
  const cells = list(o.cell, '--cell').map((c) => choiceOption(c, '--cell', CELL_NAMES, 'lstm') as CellName);
  const Ts = list(o.steps, '--steps').map((t) => intOption(t, '--steps', 0, task === 'adding' ? 2 : 1));
  const clips = (o.clip === undefined ? ['1'] : list(o.clip, '--clip')).map((c) => numberOption(c, '--clip', 1, (n) => n >= 0, 'a number ≥ 0 (0 = off)'));
  const activation = choiceOption(o.activation, '--activation', ['tanh', 'relu', 'identity'] as const, 'tanh');
  if (o.activation !== undefined && !cells.some((c) => c === 'rnn' || c.startsWith('residual'))) {
    throw new UsageError('--activation applies to rnn and residual cells only');
  }
  const base = {
    task, hidden: intOption(o.hidden, '--hidden', 64), layers: intOption(o.layers, '--layers', 1), activation,
    whh: choiceOption(o.whh, '--whh', WHH_INITS, 'uniform'),
    radius: o.radius === undefined ? undefined : numberOption(o.radius, '--radius', 1, (n) => n >= 0, 'a number ≥ 0'),
    forgetBias: numberOption(o['forget-bias'], '--forget-bias', 0),
    batch: intOption(o.batch, '--batch', 32),
    lr: numberOption(o.lr, '--lr', 1e-3, (n) => n > 0, 'a number > 0'),
    optimizer: choiceOption(o.optimizer, '--optimizer', OPTIMIZERS, 'adam') as OptimizerKind,
    budget: intOption(o.budget, '--budget', 2000),
    evalEvery: intOption(o['eval-every'], '--eval-every', 100),
    valSize: intOption(o['val-size'], '--val-size', 256),
    seed: intOption(o.seed, '--seed', 0, 0),
    stopWhenSolved: o['keep-going'] !== true,
    flowEvery: intOption(o['flow-every'], '--flow-every', 0, 0),
  };
  if (base.flowEvery > 0 && base.flowEvery % base.evalEvery !== 0) {
    throw new UsageError(`--flow-every: expected a multiple of --eval-every (${base.evalEvery}): the flow is measured at evaluations, got ${base.flowEvery}`);
  }
  // parameters with gradients and Adam's moments, and the activations of the larger batch, before allocating
  const S = Math.max(...Ts) + 20;
  checkSize(4 * 4 * base.layers * base.hidden * (base.hidden + 12) + 6 * S * Math.max(base.batch, base.valSize) * base.hidden * base.layers,
            '--hidden, --layers, --steps, --batch, --val-size');
  if ((base.whh !== 'uniform' || base.radius !== undefined) && cells.includes('residual')) {
    throw new UsageError('--cell residual has no W_hh, so --whh and --radius do not apply; use residual-xh');
  }
  for (const [opt, path] of [['--plot', o.plot], ['--report', o.report]] as const) {
    if (path === '') throw new UsageError(`${opt}: expected a file path`);
    if (path !== undefined) checkOutputFile(path, opt); // before training
  }
  const k = await backendFromOptions(o);
  const json = o.json === true;
  const out = (line: string): void => { process.stdout.write(`${line}\n`); };

  const runs: Run[] = [];
  for (const T of Ts) {
    for (const cell of cells) {
      for (const clip of clips) {
        const options: TaskOptions = { ...base, cell, T, clip };
        const label = `${cell}${Ts.length > 1 ? ` T=${T}` : ''}${clips.length > 1 ? (clip > 0 ? ` clip ${clip}` : ' no clip') : ''}`;
        if (json) out(JSON.stringify({ event: 'start', run: label, task, T, cell, clip, backend: k.name, options }));
        else out(`${task} T=${T} ${cell}${clip > 0 ? ` clip ${clip}` : ' no clipping'}: ${k.name} kernels, budget ${base.budget} steps`);
        const result = trainTask(options, k, (log: TaskLog) => {
          if (json) out(JSON.stringify({ event: 'eval', run: label, ...log }));
          else out(`  step ${String(log.step).padStart(6)}  train ${fmt(log.loss)}  val ${fmt(log.valLoss)}` +
            `${log.valAccuracy === null ? '' : ` (${(100 * log.valAccuracy).toFixed(1)}% copied)`}  baseline ${fmt(log.baseline)}` +
            `  ‖g‖ ${fmt(log.gradNorm)}${clip > 0 ? ` → ${fmt(log.gradNormClipped)}` : ''}${log.solved ? '  solved' : ''}`);
        });
        runs.push({ result, label });
        if (json) out(JSON.stringify({ event: 'end', run: label, ...endJson(result), ...(result.flow.length > 0 ? { flow: result.flow } : {}) }));
        else out(`  ${verdict(result)}${flowText(result)}`);
      }
    }
  }
  writeAll([
    ...(o.plot === undefined ? [] : [{ path: o.plot, data: taskChart(task, runs), option: '--plot' }]),
    ...(o.report === undefined ? [] : [{ path: o.report, data: taskReport(task, runs), option: '--report' }]),
  ]);
  if (json) out(JSON.stringify({ event: 'summary', task, runs: runs.map((r) => ({ run: r.label, ...endJson(r.result) })) }));
  else out(summaryTable(task, runs));
  return 0;
}

function endJson(r: TaskResult): Record<string, unknown> {
  return {
    cell: r.options.cell, T: r.options.T, clip: r.options.clip, solved: r.solved, solvedAt: r.solvedAt, diverged: r.diverged,
    steps: r.steps, finalValLoss: r.finalValLoss, bestValLoss: r.bestValLoss, finalValAccuracy: r.finalValAccuracy,
    baseline: r.baseline, seconds: Math.round(r.seconds * 10) / 10,
  };
}

/** With --flow-every, in words: how much of the gradient reaches the first step at each measurement. */
function flowText(r: TaskResult): string {
  return r.flow.map((f) => `\n  gradient flow at step ${f.step}: ‖∂L/∂h_0‖/‖∂L/∂h_${f.gradNorm.length - 1}‖ = ` +
    `${fmt(f.gradNorm[f.gradNorm.length - 1]! / f.gradNorm[0]!)}, ×${f.rate === null ? '—' : f.rate.toFixed(3)} per step`).join('');
}

function verdict(r: TaskResult): string {
  if (r.diverged !== null) return `diverged at step ${r.diverged} (loss or gradient not finite)`;
  if (r.solved) return `solved at step ${r.solvedAt} (validation ${fmt(r.finalValLoss)}, ${r.seconds.toFixed(1)} s)`;
  return `not solved in ${r.steps} steps (best validation ${fmt(r.bestValLoss)}, baseline ${fmt(r.baseline)}, ${r.seconds.toFixed(1)} s)`;
}

function summaryTable(task: TaskName, runs: Run[]): string {
  const w = Math.max(8, ...runs.map((r) => r.label.length)) + 2;
  const lines = [`\n${task}: ${runs.length} run${runs.length > 1 ? 's' : ''}`,
    `${'run'.padEnd(w)}${'T'.padStart(6)}${'clip'.padStart(6)}${'solved at'.padStart(11)}${'best val'.padStart(11)}${'baseline'.padStart(10)}${'steps'.padStart(8)}${'seconds'.padStart(9)}`];
  for (const { label, result: r } of runs) {
    const at = r.diverged !== null ? `diverged ${r.diverged}` : r.solvedAt === null ? '—' : String(r.solvedAt);
    lines.push(`${label.padEnd(w)}${String(r.options.T).padStart(6)}${String(r.options.clip || 'off').padStart(6)}${at.padStart(11)}` +
      `${cell(fmt(r.bestValLoss), 11)}${cell(fmt(r.baseline), 10)}${cell(String(r.steps), 8)}${cell(r.seconds.toFixed(1), 9)}`);
  }
  return lines.join('\n');
}

function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(2) : v.toFixed(4);
}

// ------------------------------------------------------------------------------------------------

function taskChart(task: TaskName, runs: Run[]): string {
  // validation loss at every evaluation; a run that diverged says so in the legend
  const loss: Series[] = runs.map((r) => ({
    label: r.result.diverged === null ? r.label : `${r.label}: diverged at step ${r.result.diverged}`,
    x: r.result.history.map((h) => h.step), y: r.result.history.map((h) => h.valLoss),
  }));
  const baselines = [...new Set(runs.map((r) => r.result.baseline))];
  const hlines = task === 'adding'
    ? [{ y: ADDING_BASELINE, label: 'predict 1: 0.167' }, { y: ADDING_SOLVED, label: 'solved: 0.01' }]
    : baselines.map((b) => ({ y: b, label: `baseline ${b.toFixed(3)}` }));
  const o0 = runs[0]!.result.options;
  const Ts = [...new Set(runs.map((r) => r.result.options.T))];
  const what = `${task === 'adding' ? 'adding problem' : 'copy memory'}${Ts.length === 1 ? ` T = ${Ts[0]}` : ''}, H = ${o0.hidden}, batch ${o0.batch}, ${o0.optimizer} lr ${o0.lr}`;
  const lossChart = lineChart({
    title: `Validation loss: ${what}`, subtitle: task === 'adding' ? 'mean squared error' : 'cross-entropy per step',
    xLabel: 'training step', yLabel: task === 'adding' ? 'MSE' : 'cross-entropy', yLog: true, series: loss, hlines,
  });
  // after-clipping lines only where they add something: a few runs, not a grid of them
  const withClipped = runs.length <= 3 && runs.some((r) => r.result.options.clip > 0);
  const grad: Series[] = [];
  runs.forEach((r, i) => {
    const { gradNorm, gradNormClipped } = r.result.curves;
    const b = bucket(gradNorm), c = bucket(gradNormClipped);
    grad.push({ label: withClipped ? `${r.label}: before clipping` : r.label, x: b.x, y: b.y, color: PALETTE[i % PALETTE.length] });
    if (withClipped && r.result.options.clip > 0) grad.push({ label: `${r.label}: after`, x: c.x, y: c.y, color: PALETTE[i % PALETTE.length], dashed: true });
  });
  const clips = [...new Set(runs.map((r) => r.result.options.clip))];
  const gradChart = lineChart({
    title: 'Global gradient norm',
    subtitle: withClipped ? 'mean over windows of steps; dashed: after clipping'
      : `before clipping, mean over windows of steps${clips.length === 1 && clips[0]! > 0 ? `; clipped to ${clips[0]} for the update` : ''}`,
    xLabel: 'training step', yLabel: '‖g‖', yLog: true, series: grad,
  });
  return stackVertically([lossChart, gradChart]);
}

/** Window means of a per-step curve, about 200 points. */
function bucket(y: number[]): { x: number[]; y: number[] } {
  const w = Math.max(1, Math.ceil(y.length / 200));
  const xs: number[] = [];
  const ys: number[] = [];
  for (let s = 0; s < y.length; s += w) {
    let sum = 0, n = 0;
    for (let i = s; i < Math.min(y.length, s + w); i++) { sum += y[i]!; n++; }
    xs.push(Math.min(y.length, s + w));
    ys.push(sum / n); // a non-finite value in the window makes a gap
  }
  return { x: xs, y: ys };
}

function taskReport(task: TaskName, runs: Run[]): string {
  const sections: Section[] = [
    {
      heading: 'Summary',
      text: task === 'adding'
        ? `Adding problem: predicting 1 gives MSE ${ADDING_BASELINE.toFixed(4)}; solved means validation MSE < ${ADDING_SOLVED}.`
        : `Copy memory: the baseline cross-entropy is 10 ln 8/(T+20) (${copyBaseline(runs[0]!.result.options.T).toFixed(4)} at T = ${runs[0]!.result.options.T}); solved means below 10% of it or 99% of the symbols right.`,
      table: {
        columns: ['run', 'T', 'clip', 'solved at step', 'diverged at', 'best validation', 'baseline', 'steps', 'seconds'],
        rows: runs.map(({ label, result: r }) => [label, r.options.T, r.options.clip || 'off', r.solvedAt, r.diverged, r.bestValLoss, r.baseline, r.steps, Math.round(r.seconds * 10) / 10]),
      },
    },
    { heading: 'Curves', svg: taskChart(task, runs) },
  ];
  for (const { label, result: r } of runs) {
    sections.push({
      heading: `Log: ${label}`, collapsed: true,
      table: {
        columns: ['step', 'train loss', 'validation loss', ...(task === 'copy' ? ['copied right'] : []), 'gradNorm', 'max gradNorm', 'gradNormClipped'],
        rows: r.history.map((h) => [h.step, h.loss, h.valLoss, ...(task === 'copy' ? [h.valAccuracy] : []), h.gradNorm, h.gradNormMax, h.gradNormClipped]),
      },
    });
  }
  const data = runs.map((r) => ({ run: r.label, options: r.result.options, ...endJson(r.result), history: r.result.history }));
  return htmlReport(`recur task ${task}`, sections, data);
}

function list(v: string, option: string): string[] {
  const items = v.split(',').map((s) => s.trim());
  if (items.some((s) => s === '')) throw new UsageError(`${option}: expected a comma-separated list without empty items, got "${v}"`);
  return items;
}
