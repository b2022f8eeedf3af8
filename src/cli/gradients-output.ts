/**
 * @module cli/gradients-output
 * What `recur gradients` prints and writes: the JSON series, the summary, the SVG charts and the
 * HTML report of its analyses.
 */
import { formatNumber, htmlReport, type Section } from '../analysis/report.js';
import type { GradientNorms, JacobianNorms, WeightSpectrum } from '../analysis/gradient-flow.js';
import { heatmap, lineChart, PALETTE } from '../charts/index.js';
import { cell } from './numbers.js';
import type { RecurrentConfig } from '../layers/config.js';

/** One analysed stack: its gradient flow, weight spectra, Jacobian norms and optional extras. */
export interface Analysis {
  label: string;
  config: RecurrentConfig;
  T: number;
  B: number;
  flow: GradientNorms;
  weights: WeightSpectrum[];
  jacobian: JacobianNorms | undefined;
  jacobianSkipped?: string | undefined;
  heatmap: Float64Array | undefined;
  eigenvalues?: { layer: number; direction: string; gate: string; values: [number, number][] }[] | undefined;
  stateNorm?: number[] | undefined;
  radius?: number | undefined;
  whh?: string | undefined;
}

/** The JSON object of one analysis. */
export function seriesJson(a: Analysis, withDistance: boolean): Record<string, unknown> {
  const T = a.T;
  return {
    label: a.label, config: a.config, T, B: a.B,
    ...(a.radius !== undefined ? { radius: a.radius } : {}), ...(a.whh !== undefined ? { whh: a.whh } : {}),
    ...(withDistance ? { distance: a.flow.distance } : {}),
    gradNorm: a.flow.gradNorm, ratio: a.flow.ratio, logSlope: a.flow.logSlope, rate: a.flow.rate,
    weights: a.weights,
    ...(a.jacobian ? { jacobian: a.jacobian } : {}),
    ...(a.eigenvalues ? { eigenvalues: a.eigenvalues } : {}),
    ...(a.stateNorm ? { stateNorm: a.stateNorm } : {}),
    ...(a.jacobianSkipped ? { jacobian: null, jacobianSkipped: a.jacobianSkipped } : {}),
    ...(a.heatmap ? { heatmap: Array.from({ length: T }, (_, t) => Array.from(a.heatmap!.subarray(t * T, t * T + t + 1))) } : {}),
  };
}

export function flowChart(analyses: Analysis[]): string {
  const a0 = analyses[0]!;
  return lineChart({
    title: 'Gradient norm against distance',
    subtitle: `‖∂L/∂h_{T−1−d}‖ with L = Σ h_{T−1}, top layer; T = ${a0.T}, B = ${a0.B}, H = ${a0.config.hiddenSize}`,
    xLabel: 'distance d (steps back from T−1)', yLabel: '‖∂L/∂h_{T−1−d}‖', yLog: true,
    series: analyses.map((a) => ({ label: a.label, x: a.flow.distance, y: a.flow.gradNorm })),
  });
}

/** The smallest positive and the largest value of every heatmap: one colour scale for all. */
export function heatmapRange(analyses: Analysis[]): [number, number] | undefined {
  let lo = Infinity, hi = 0;
  for (const a of analyses) {
    for (const v of a.heatmap ?? []) if (v > 0 && Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  }
  return hi > lo ? [lo, hi] : undefined;
}

export function heatmapChart(a: Analysis, range?: [number, number]): string {
  return heatmap({
    colorRange: range,
    title: `‖∂L_t/∂h_k‖: ${a.label}`,
    subtitle: `L_t = Σ h_t, top layer; T = ${a.T}, B = ${a.B}, H = ${a.config.hiddenSize}`,
    xLabel: 'k (the state)', yLabel: 't (the loss step)', colorLabel: '‖∂L_t/∂h_k‖',
    values: a.heatmap!, rows: a.T, cols: a.T,
  });
}

export function jacobianChart(analyses: Analysis[]): string | undefined {
  const rnn = analyses.filter((a) => a.jacobian);
  if (!rnn.length) return undefined;
  return lineChart({
    title: 'Per-step factor γ_k = ‖diag(f′(z_k)) W_hhᵀ‖',
    subtitle: 'mean over batch rows (solid) and max (dashed); the gradient shrinks where γ < 1',
    xLabel: 'step k', yLabel: 'γ_k', yLog: true,
    series: rnn.flatMap((a, i) => {
      const color = PALETTE[i % PALETTE.length]!;
      return [
        { label: `${a.label}: mean`, x: a.jacobian!.step, y: a.jacobian!.mean, color },
        { label: `${a.label}: max`, x: a.jacobian!.step, y: a.jacobian!.max, color, dashed: true },
      ];
    }),
    hlines: [{ y: 1, label: 'γ = 1' }],
  });
}

/** Distances worth a column: 0, 1, 10, 50, … and T−1. */
function shownDistances(T: number): number[] {
  const ds = [0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000].filter((d) => d < T - 1);
  return [...ds, T - 1];
}

export function summary(analyses: Analysis[], source: string): string {
  const a0 = analyses[0]!;
  const T = a0.T;
  const lines: string[] = [];
  lines.push(`gradient flow of ${source}: L = Σ h_{T−1} (top layer, forward), T = ${T}, B = ${a0.B}`);
  const ds = shownDistances(T);
  const width = Math.max(12, ...analyses.map((a) => a.label.length)) + 2;
  lines.push(`${'‖∂L/∂h_{T−1−d}‖'.padEnd(width)}${ds.map((d) => `d=${d}`.padStart(11)).join('')}${'rate/step'.padStart(11)}`);
  for (const a of analyses) {
    lines.push(`${a.label.padEnd(width)}${ds.map((d) => cell(formatNumber(a.flow.gradNorm[d]!), 11)).join('')}${cell(formatNumber(a.flow.rate), 11)}`);
  }
  lines.push('');
  lines.push(`${'W_hh blocks'.padEnd(width)}${'layer'.padStart(7)}${'dir'.padStart(9)}${'gate'.padStart(6)}${'ρ'.padStart(11)}${'σ_max'.padStart(11)}`);
  for (const a of analyses) {
    if (!a.weights.length) lines.push(`${a.label.padEnd(width)}  (no W_hh: ∂h_t/∂h_{t−1} = I)`);
    for (const w of a.weights) {
      lines.push(`${a.label.padEnd(width)}${String(w.layer).padStart(7)}${w.direction.padStart(9)}${w.gate.padStart(6)}` +
        `${cell(formatNumber(w.spectralRadius), 11)}${cell(formatNumber(w.maxSingularValue), 11)}`);
    }
  }
  const rnn = analyses.filter((a) => a.jacobian);
  for (const a of analyses) if (a.jacobianSkipped) lines.push('', `${a.label}: γ_k skipped (${a.jacobianSkipped})`);
  if (rnn.length) {
    lines.push('');
    for (const a of rnn) {
      const j = a.jacobian!;
      lines.push(`${a.label}: γ_k = ‖diag(f′(z_k)) W_hhᵀ‖, geometric mean ${formatNumber(j.geometricMean)}, ` +
        `range ${formatNumber(Math.min(...j.mean))} … ${formatNumber(Math.max(...j.max))}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

export function report(analyses: Analysis[], source: string): string {
  const a0 = analyses[0]!;
  const T = a0.T;
  const sections: Section[] = [];
  sections.push({
    heading: 'Summary',
    text: `${source}. L = Σ h_{T−1}, the sum of the top layer's last state (forward direction); ` +
      `gradNorm[d] = ‖∂L/∂h_{T−1−d}‖ over batch and units. T = ${T}, B = ${a0.B}.`,
    table: {
      columns: ['model', 'gradNorm[0]', `gradNorm[${T - 1}]`, 'ratio', 'rate per step', 'max ρ(W_hh block)', 'max σ(W_hh block)'],
      rows: analyses.map((a) => [a.label, a.flow.gradNorm[0]!, a.flow.gradNorm[T - 1]!, a.flow.ratio, a.flow.rate,
        a.weights.length ? Math.max(...a.weights.map((w) => w.spectralRadius)) : null,
        a.weights.length ? Math.max(...a.weights.map((w) => w.maxSingularValue)) : null]),
    },
  });
  sections.push({ heading: 'Gradient norm against distance', svg: flowChart(analyses) });
  const range = heatmapRange(analyses);
  for (const a of analyses) if (a.heatmap) sections.push({ heading: `Heatmap: ${a.label}`, svg: heatmapChart(a, range) });
  const jc = jacobianChart(analyses);
  if (jc) sections.push({ heading: 'Per-step Jacobian norms (simple RNN)', svg: jc });
  sections.push({
    heading: 'Spectra of the recurrent weights',
    table: {
      columns: ['model', 'layer', 'direction', 'gate', 'spectral radius', 'largest singular value'],
      rows: analyses.flatMap((a) => a.weights.map((w) => [a.label, w.layer, w.direction, w.gate, w.spectralRadius, w.maxSingularValue])),
    },
  });
  sections.push({
    heading: 'Gradient norm at every distance',
    collapsed: true,
    table: {
      columns: ['d', ...analyses.map((a) => a.label)],
      rows: a0.flow.distance.map((d) => [d, ...analyses.map((a) => a.flow.gradNorm[d]!)]),
    },
  });
  const data = analyses.map((a) => seriesJson({ ...a, heatmap: undefined }, true));
  return htmlReport('recur gradients', sections, data);
}

