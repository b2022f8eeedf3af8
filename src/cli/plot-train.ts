/**
 * @module cli/plot-train
 * Training curves from JSON lines: `recur train --json` ("event":"step" lines) or `recur task --json`
 * ("event":"eval" lines). Loss, the global gradient norm before and after clipping, and, when the
 * lines carry them (`paramGradNorms: { name: norm }`), the per-parameter gradient norms.
 */
import { RecurError } from '../errors.js';
import { lineChart, stackVertically, type Series } from '../charts/index.js';
import { parseOptions, required } from './args.js';
import { checkOutputFile, MAX_TEXT, readBytes, writeAtomic } from './files.js';

export const PLOT_TRAIN_USAGE = `usage: recur plot-train --log train.jsonl --out curves.svg [--title TEXT]

  --log    JSON lines from 'recur train --json' or 'recur task --json'
  --out    an SVG: loss, global gradient norm before/after clipping, per-parameter gradient norms`;

interface Point {
  run: string;
  step: number;
  loss: number | undefined;
  valLoss: number | undefined;
  gradNorm: number | undefined;
  gradNormClipped: number | undefined;
  params: Record<string, number> | undefined;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

/** The points of every step/eval line; other lines are skipped, unparsable ones are an error. */
export function parseTrainingLog(text: string, what = 'log'): Point[] {
  const out: Point[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(line) as Record<string, unknown>;
    } catch {
      throw new RecurError(`${what}: line ${i + 1} is not JSON: ${line.slice(0, 60)}`);
    }
    if (o.event !== 'step' && o.event !== 'eval') return;
    const step = num(o.step);
    if (step === undefined) return;
    const params = o.paramGradNorms;
    out.push({
      run: typeof o.run === 'string' ? o.run : 'train', step, loss: num(o.loss), valLoss: num(o.valLoss),
      gradNorm: num(o.gradNorm), gradNormClipped: num(o.gradNormClipped),
      params: params && typeof params === 'object' ? params as Record<string, number> : undefined,
    });
  });
  if (out.length === 0) throw new RecurError(`${what}: no "event":"step" or "event":"eval" lines with a step`);
  return out;
}

/** The charts of a parsed log, stacked in one SVG. */
export function trainingCurves(points: Point[], title = 'Training'): string {
  const runs = [...new Set(points.map((p) => p.run))];
  const pick = (run: string, f: (p: Point) => number | undefined): { x: number[]; y: number[] } => {
    const ps = points.filter((p) => p.run === run && f(p) !== undefined);
    return { x: ps.map((p) => p.step), y: ps.map((p) => f(p)!) };
  };
  const loss: Series[] = [];
  const grad: Series[] = [];
  for (const run of runs) {
    const prefix = runs.length > 1 ? `${run}: ` : '';
    const l = pick(run, (p) => p.loss);
    if (l.x.length) loss.push({ label: `${prefix}training loss`, ...l });
    const v = pick(run, (p) => p.valLoss);
    if (v.x.length) loss.push({ label: `${prefix}validation loss`, ...v, dashed: true });
    const g = pick(run, (p) => p.gradNorm);
    if (g.x.length) grad.push({ label: `${prefix}before clipping`, ...g });
    const c = pick(run, (p) => p.gradNormClipped);
    if (c.x.length) grad.push({ label: `${prefix}after clipping`, ...c, dashed: true });
  }
  const charts = [
    lineChart({ title: `${title}: loss`, xLabel: 'step', yLabel: 'loss', yLog: true, series: loss }),
    lineChart({ title: `${title}: global gradient norm`, xLabel: 'step', yLabel: '‖g‖', yLog: true, series: grad }),
  ];
  const names = [...new Set(points.flatMap((p) => Object.keys(p.params ?? {})))];
  if (names.length) {
    const run = runs[0]!;
    charts.push(lineChart({
      title: `${title}: gradient norm per parameter${runs.length > 1 ? ` (${run})` : ''}`, xLabel: 'step', yLabel: '‖∂L/∂θ‖', yLog: true,
      series: names.map((n) => ({ label: n, ...pick(run, (p) => num(p.params?.[n])) })), height: 480,
    }));
  }
  return stackVertically(charts);
}

export function plotTrainCommand(args: string[]): number {
  const o = parseOptions(args, { log: { type: 'string' }, out: { type: 'string' }, title: { type: 'string' } });
  const log = required(o.log, '--log');
  const out = required(o.out, '--out');
  checkOutputFile(out, '--out');
  const text = new TextDecoder().decode(readBytes(log, '--log', MAX_TEXT));
  writeAtomic(out, trainingCurves(parseTrainingLog(text, `--log ${log}`), o.title ?? 'Training'), '--out');
  return 0;
}
