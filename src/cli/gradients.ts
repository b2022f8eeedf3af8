/**
 * @module cli/gradients
 * `recur gradients`: how the gradient of a recurrent stack's last state reaches back in time.
 * On a saved model and input, or on random models built for the occasion (the notes' claims in one
 * line). Prints a summary or JSON; writes SVG charts and an HTML report.
 */
import { formatShape, RecurError } from '../errors.js';
import { tensorToFloat32, tensorToFloat64, type SafeTensor, type SafetensorsFile } from '../format/safetensors.js';
import { eigenvalues } from '../analysis/linalg.js';
import {
  GATE_NAMES, gradientHeatmap, gradientNorms, rnnJacobianNorms, weightSpectra, type FlowInput,
} from '../analysis/gradient-flow.js';
import { stateNorms } from '../analysis/state-norms.js';
import { CELL_NAMES, describeCell, randomInput, randomStack, WHH_INITS, type CellName } from '../analysis/random-model.js';
import { stackVertically } from '../charts/index.js';
import { flowChart, heatmapChart, heatmapRange, report, seriesJson, summary, type Analysis } from './gradients-output.js';
import { jsKernels, loadKernels } from '../kernels/index.js';
import type { Activation } from '../kernels/types.js';
import type { RecurrentConfig } from '../layers/config.js';
import type { RecurrentStack } from '../layers/recurrent.js';
import { loadStack } from '../models/stack-file.js';
import type { DType, FloatArray } from '../tensor/types.js';
import { parseOptions, UsageError } from './args.js';
import { BACKENDS } from './backend.js';
import { checkOutputFile, readSafetensors, writeAll } from './files.js';
import { checkSize, choiceOption, intOption } from './numbers.js';

export const GRADIENTS_USAGE = `usage: recur gradients --model M.safetensors --input X.safetensors [outputs]
       recur gradients --cell CELL[,CELL...] --hidden H --steps T [random model options] [outputs]

With L = the sum of every element of the top layer's last state h_{T-1} (forward direction), the
L2 norm (over batch and units) of dL/dh_{T-1-d} for every distance d = 0..T-1; the spectral radius
and largest singular value of every W_hh gate block; for the simple RNN the per-step factors
gamma_k = ||diag(f'(z_k)) W_hh^T|| of the notes.

  --model, --input   a stack in recur's safetensors format (see 'recur run') and x (T,B,I),
                     optional h0, c0 (L*D,B,H)

random models (seeded; PyTorch's init, then W_hh as asked):
  --cell           rnn, gru (reset before, the notes), gru-after (PyTorch), lstm, residual
                   (h + g(x)), residual-xh (h + g(x, h)); a comma list draws one line per cell
  --activation     f of rnn and residual cells: tanh (default), relu, identity
  --hidden H       units;  --steps T  sequence length;  --batch B (default 1);  --input-size (default H)
  --radius r       scale every gate block of W_hh to spectral radius r; a comma list: one line each
  --whh            uniform (default, PyTorch), orthogonal (a normal matrix: exact r^d), identity
  --layers L, --bidirectional, --forget-bias b (lstm), --seed S (default 0)

outputs:
  --json           print JSON: { distance, gradNorm, ratio, rate, weights, jacobian, ... }
                   (several models: { distance, series: [...] })
  --plot out.svg     gradient norm against distance, log scale, one line per model
  --heatmap out.svg  ||dL_t/dh_k|| over (t, k) for L_t = sum h_t (T backward passes)
  --report out.html  the charts and numbers in one page
  --dtype          float64 (default: exact small numbers) or float32, on the js backend
  --backend        js (default; float64 unless --dtype float32), or auto, native, wasm-simd,
                   wasm-relaxed-simd: float32 native or WebAssembly kernels, faster on large models
  --jacobian       compute gamma_k even for large models (skipped when T*B*H^3 > 1e9)
  --eigenvalues    with --json: every eigenvalue [re, im] of every W_hh gate block (the
                   playground's complex-plane figure)
  --state-norms    with --json: stateNorm, ||h_t|| (over batch and units) at every step t of the
                   forward pass (a residual cell's state grows; a tanh RNN's stays under sqrt(B*H))`;

export async function gradientsCommand(args: string[]): Promise<number> {
  const o = parseOptions(args, {
    model: { type: 'string' }, input: { type: 'string' },
    cell: { type: 'string' }, activation: { type: 'string' }, hidden: { type: 'string' }, steps: { type: 'string' },
    radius: { type: 'string' }, whh: { type: 'string' }, 'input-size': { type: 'string' }, batch: { type: 'string' },
    layers: { type: 'string' }, bidirectional: { type: 'boolean' }, 'forget-bias': { type: 'string' }, seed: { type: 'string' },
    json: { type: 'boolean' }, plot: { type: 'string' }, heatmap: { type: 'string' }, report: { type: 'string' },
    dtype: { type: 'string' }, jacobian: { type: 'boolean' }, backend: { type: 'string' }, eigenvalues: { type: 'boolean' },
    'state-norms': { type: 'boolean' },
  });
  if (o.eigenvalues && !o.json) throw new UsageError('--eigenvalues adds the eigenvalues to the JSON output: give --json too');
  if (o['state-norms'] && !o.json) throw new UsageError('--state-norms adds the state norms to the JSON output: give --json too');
  const backend = choiceOption(o.backend, '--backend', BACKENDS, 'js');
  if (backend !== 'js' && o.dtype === 'float64') throw new UsageError(`--dtype float64 runs on the js backend only; --backend ${backend} computes in float32`);
  const dtype = backend !== 'js' ? 'float32' : choiceOption(o.dtype, '--dtype', ['float64', 'float32'] as const, 'float64') as DType;
  const k = backend === 'js' ? jsKernels(dtype) : await loadKernels({ prefer: backend });
  const wantHeatmap = o.heatmap !== undefined || o.report !== undefined;
  for (const [opt, path] of [['--plot', o.plot], ['--heatmap', o.heatmap], ['--report', o.report]] as const) {
    if (path === '') throw new UsageError(`${opt}: expected a file path`);
    if (path !== undefined) checkOutputFile(path, opt); // before the work
  }

  let analyses: Analysis[];
  let source: string;
  if (o.model !== undefined || o.input !== undefined) {
    const random = ['cell', 'activation', 'hidden', 'steps', 'radius', 'whh', 'input-size', 'batch', 'layers', 'bidirectional', 'forget-bias', 'seed']
      .filter((n) => (o as Record<string, unknown>)[n] !== undefined);
    if (random.length) throw new UsageError(`--${random[0]} builds a random model; it does not combine with --model/--input`);
    if (!o.model) throw new UsageError('missing --model (with --input)');
    if (!o.input) throw new UsageError('missing --input (with --model)');
    const stack = loadStack(readSafetensors(o.model, '--model'), o.model, k);
    const input = readFlowInput(readSafetensors(o.input, '--input'), o.input, stack.config, dtype);
    analyses = [analyse(stack, input, describeCell(stack.config), wantHeatmap, o.jacobian === true)];
    if (o.eigenvalues) analyses[0]!.eigenvalues = gateEigenvalues(stack);
    if (o['state-norms']) analyses[0]!.stateNorm = stateNorms(stack, input);
    source = o.model;
  } else {
    if (o.cell === undefined) throw new UsageError('expected --model and --input, or --cell with --hidden and --steps for a random model');
    const cells = listOption(o.cell, '--cell').map((c) => choiceOption(c, '--cell', CELL_NAMES, 'rnn'));
    if (o.hidden === undefined) throw new UsageError('missing --hidden (units of the random model)');
    if (o.steps === undefined) throw new UsageError('missing --steps (sequence length T)');
    const hidden = intOption(o.hidden, '--hidden', 0);
    const T = intOption(o.steps, '--steps', 0);
    const B = intOption(o.batch, '--batch', 1);
    const inputSize = intOption(o['input-size'], '--input-size', hidden);
    const layers = intOption(o.layers, '--layers', 1);
    const seed = intOption(o.seed, '--seed', 0, 0);
    const activation = choiceOption(o.activation, '--activation', ['tanh', 'relu', 'identity'] as const, 'tanh') as Activation;
    const whh = choiceOption(o.whh, '--whh', WHH_INITS, 'uniform');
    const radii = o.radius === undefined ? [undefined] : listOption(o.radius, '--radius').map((r) => radiusValue(r));
    const forgetBias = o['forget-bias'] === undefined ? undefined : finiteValue(o['forget-bias'], '--forget-bias');
    if (o.activation !== undefined && !cells.some((c) => c === 'rnn' || c.startsWith('residual'))) {
      throw new UsageError(`--activation applies to rnn and residual cells; ${cells.join(', ')} use σ and tanh`);
    }
    if (forgetBias !== undefined && !cells.includes('lstm')) throw new UsageError('--forget-bias applies to lstm only');
    // W_hh and W_ih of every gate and layer (with gradients), before anything is allocated
    checkSize(2 * 4 * layers * hidden * (inputSize + hidden + 2), '--hidden, --input-size, --layers');
    if (T * B * Math.max(inputSize, hidden) > 5e7) throw new UsageError(`--steps × --batch × units = ${T * B * Math.max(inputSize, hidden)} is too large for an analysis; keep it under 5e7`);
    const x = randomInput(T, B, inputSize, seed + 7919, k);
    analyses = [];
    for (const cell of cells) {
      for (const radius of radii) {
        if (cell === 'residual' && (radius !== undefined || whh !== 'uniform')) {
          throw new UsageError(`--cell residual has no W_hh (h_t = h_{t-1} + g(x_t)), so --radius and --whh do not apply; use residual-xh`);
        }
        const stack = randomStack({
          cell: cell as CellName, hidden, inputSize, layers, bidirectional: o.bidirectional === true,
          activation: cell === 'rnn' || cell.startsWith('residual') ? activation : undefined,
          forgetBias: cell === 'lstm' ? forgetBias : undefined, whh, radius, seed,
        }, k);
        const label = `${describeCell(stack.config)}${radius !== undefined ? ` ρ=${radius}` : ''}${whh !== 'uniform' && cell !== 'residual' ? ` ${whh}` : ''}`;
        const a = analyse(stack, { x, T, B }, label, wantHeatmap, o.jacobian === true);
        a.radius = radius;
        if (o.eigenvalues) a.eigenvalues = gateEigenvalues(stack);
        if (o['state-norms']) a.stateNorm = stateNorms(stack, { x, T, B });
        a.whh = cell === 'residual' ? undefined : whh;
        analyses.push(a);
      }
    }
    source = `random models, seed ${seed}`;
  }

  const first = analyses[0]!;
  const T = first.T;
  // every file rendered first, then written all or nothing
  const files: { path: string; data: string; option: string }[] = [];
  if (o.plot !== undefined) files.push({ path: o.plot, data: flowChart(analyses), option: '--plot' });
  if (o.heatmap !== undefined) {
    const range = heatmapRange(analyses);
    files.push({ path: o.heatmap, data: stackVertically(analyses.map((a) => heatmapChart(a, range))), option: '--heatmap' });
  }
  if (o.report !== undefined) files.push({ path: o.report, data: report(analyses, source), option: '--report' });
  writeAll(files);
  if (o.json) {
    const json = analyses.length === 1
      ? { source, ...seriesJson(first, true) }
      : { source, T, B: first.B, distance: first.flow.distance, series: analyses.map((a) => seriesJson(a, false)) };
    process.stdout.write(`${JSON.stringify(json)}\n`);
  } else {
    process.stdout.write(summary(analyses, source));
  }
  return 0;
}

/** γ_k costs one H×H symmetric eigenvalue problem per step and batch row: beyond this much work
 *  (T·B·H³) it is skipped unless --jacobian asks for it. */
const JACOBIAN_WORK = 1e9;

function analyse(stack: RecurrentStack, input: FlowInput, label: string, withHeatmap: boolean, forceJacobian: boolean): Analysis {
  const work = input.T * input.B * stack.config.hiddenSize ** 3;
  const jacobian = stack.config.cell === 'rnn' && (forceJacobian || work <= JACOBIAN_WORK);
  return {
    label, config: stack.config, T: input.T, B: input.B,
    flow: gradientNorms(stack, input),
    weights: weightSpectra(stack),
    jacobian: jacobian ? rnnJacobianNorms(stack, input) : undefined,
    jacobianSkipped: stack.config.cell === 'rnn' && !jacobian
      ? `T·B·H³ = ${work.toExponential(2)} > ${JACOBIAN_WORK.toExponential(0)}: pass --jacobian to compute γ_k anyway` : undefined,
    heatmap: withHeatmap ? gradientHeatmap(stack, input) : undefined,
  };
}

/** Every eigenvalue [re, im] of every (H,H) gate block of every weight_hh, in eigenvalues()'s order. */
function gateEigenvalues(stack: RecurrentStack): NonNullable<Analysis['eigenvalues']> {
  const c = stack.config;
  const H = c.hiddenSize;
  const out: NonNullable<Analysis['eigenvalues']> = [];
  for (let l = 0; l < c.numLayers; l++) {
    for (let dir = 0; dir < (c.bidirectional ? 2 : 1); dir++) {
      const name = `weight_hh_l${l}${dir === 1 ? '_reverse' : ''}`;
      if (!stack.params.has(name)) continue;
      const w = stack.params.get(name).data;
      GATE_NAMES[c.cell]!.forEach((gate, g) => {
        const block = Float64Array.from(w.subarray(g * H * H, (g + 1) * H * H));
        out.push({ layer: l, direction: dir === 1 ? 'reverse' : 'forward', gate, values: eigenvalues(block, H).map((z) => [z.re, z.im]) });
      });
    }
  }
  return out;
}


// ------------------------------------------------------------------------------------------------
// Output

// ------------------------------------------------------------------------------------------------
// Input

function readFlowInput(file: SafetensorsFile, what: string, c: RecurrentConfig, dtype: DType): FlowInput {
  const lstm = c.cell === 'lstm';
  const allowed = ['x', 'h0', ...(lstm ? ['c0'] : [])];
  for (const name of file.tensors.keys()) {
    if (name === 'lengths') throw new RecurError(`${what}: tensor "lengths": the gradient flow is measured on full-length sequences; remove it`);
    if (!allowed.includes(name)) throw new RecurError(`${what}: unexpected tensor "${name}"; expected ${allowed.join(', ')}${lstm ? '' : ` (c0 is for LSTM only; this model is a ${c.cell})`}`);
  }
  const xT = file.tensors.get('x');
  if (!xT) throw new RecurError(`${what}: missing tensor "x" (T, B, ${c.inputSize})`);
  if (xT.shape.length !== 3 || xT.shape[2] !== c.inputSize || xT.shape[0] === 0 || xT.shape[1] === 0) {
    throw new RecurError(`${what}: tensor "x": expected shape (T, B, ${c.inputSize}) with T, B ≥ 1, got ${formatShape(xT.shape)}`);
  }
  const [T, B] = xT.shape as [number, number];
  const state = [c.numLayers * (c.bidirectional ? 2 : 1), B, c.hiddenSize];
  const read = (t: SafeTensor, name: string, shape: number[]): FloatArray => {
    if (t.shape.length !== shape.length || t.shape.some((n, i) => n !== shape[i])) {
      throw new RecurError(`${what}: tensor "${name}": expected shape ${formatShape(shape)}, got ${formatShape(t.shape)}`);
    }
    let a: FloatArray;
    try {
      a = dtype === 'float32' ? tensorToFloat32(t, name) : tensorToFloat64(t, name);
    } catch (e) {
      if (e instanceof RecurError) throw new RecurError(`${what}: ${e.message}`);
      throw e;
    }
    for (let i = 0; i < a.length; i++) {
      if (!Number.isFinite(a[i]!)) throw new RecurError(`${what}: tensor "${name}": expected finite values, got ${a[i]} at index ${i}`);
    }
    return a;
  };
  const h0 = file.tensors.get('h0');
  const c0 = file.tensors.get('c0');
  return {
    x: read(xT, 'x', [T, B, c.inputSize]), T, B,
    h0: h0 ? read(h0, 'h0', state) : undefined,
    c0: c0 ? read(c0, 'c0', state) : undefined,
  };
}

function listOption(v: string, option: string): string[] {
  const items = v.split(',').map((s) => s.trim());
  if (items.some((s) => s === '')) throw new UsageError(`${option}: expected a comma-separated list without empty items, got "${v}"`);
  return items;
}

function radiusValue(v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < 0) throw new UsageError(`--radius: expected numbers ≥ 0, got "${v}"`);
  return n;
}

function finiteValue(v: string, option: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new UsageError(`${option}: expected a number, got "${v}"`);
  return n;
}
