/**
 * @module analysis/gradient-flow
 * How far back a gradient reaches in a recurrent stack: the quantities of the notes' BPTT analysis,
 * measured on a model rather than derived.
 *
 *   L = Σ_{b,j} h_{T−1}[b, j]          the top layer's last state (forward direction), summed
 *   gradNorm[d] = ‖∂L/∂h_{T−1−d}‖₂     over batch and units, d = 0 … T−1
 *
 * For the simple RNN h_k = f(z_k), z_k = U h_{k−1} + W x_k + b (U = weight_hh), BPTT gives
 *   ∂L/∂h_{k−1} = Uᵀ diag(f'(z_k)) ∂L/∂h_k,   so with f(x) = x,  ∂L/∂h_{T−1−d} = (Uᵀ)^d 1
 * and the eigenvalues of U decide: ‖·‖ ~ ρ(U)^d. NNDL writes the same recursion on δ = ∂L/∂z:
 *   δ_{t,k} = diag(f'(z_k)) Uᵀ δ_{t,k+1},  with per-step factor γ_k = ‖diag(f'(z_k)) Uᵀ‖₂,
 * the `jacobian` norms reported here (mean and max over batch rows).
 *
 * Every number comes from the stack's own BPTT (`backward(…, { stateGrads: true })`), so the
 * diagnostics measure exactly the gradients training would use. Use float64 kernels for exact
 * numbers: a float32 gradient of 1e-40 is 0.
 */
import { RecurError } from '../errors.js';
import type { RecurrentStack } from '../layers/recurrent.js';
import type { FloatArray } from '../tensor/types.js';
import { gram, maxSingularValue, spectralRadius, symmetricEigenvalues } from './linalg.js';

/** The input sequence (T,B,I) and initial states to measure gradient flow on. */
export interface FlowInput {
  x: FloatArray;                    // (T,B,I)
  T: number;
  B: number;
  h0?: FloatArray | undefined;      // (L*D,B,H)
  c0?: FloatArray | undefined;      // (L*D,B,H), LSTM only
}

/**
 * How the gradient of the last hidden state's sum shrinks or grows going back in time: its norm at
 * each distance d.
 */
export interface GradientNorms {
  distance: number[];               // 0 … T−1
  gradNorm: number[];               // ‖∂L/∂h_{T−1−d}‖₂ over (B,H); d = 0 is ‖1‖ = √(B·H)
  ratio: number;                    // gradNorm[T−1] / gradNorm[0]
  /** Least-squares slope of ln gradNorm against d over the finite, positive points: ln of the
   *  per-step rate. null with fewer than two such points. */
  logSlope: number | null;
  rate: number | null;              // exp(logSlope): the factor per step
}

/** ∂L/∂h_{T−1−d} of the top layer's forward direction for L = Σ h_{T−1}, one norm per distance. */
export function gradientNorms(stack: RecurrentStack, input: FlowInput): GradientNorms {
  const { T, B } = input;
  const H = stack.config.hiddenSize;
  const grads = stateGradientsFor(stack, input, T - 1);
  const distance: number[] = [];
  const gradNorm: number[] = [];
  for (let d = 0; d < T; d++) {
    distance.push(d);
    gradNorm.push(norm(grads, (T - 1 - d) * B * H, B * H));
  }
  const logSlope = fitLogSlope(gradNorm);
  return {
    distance, gradNorm, ratio: gradNorm[T - 1]! / gradNorm[0]!,
    logSlope, rate: logSlope === null ? null : Math.exp(logSlope),
  };
}

/**
 * The (T,T) matrix ‖∂L_t/∂h_k‖₂ for L_t = Σ h_t (top layer, forward direction): row t, column k,
 * zero above the diagonal (k > t: h_k comes after L_t). One backward pass per t, so O(T²) steps.
 * The diagonal is ‖1‖ = √(B·H).
 */
export function gradientHeatmap(stack: RecurrentStack, input: FlowInput): Float64Array {
  const { T, B } = input;
  const H = stack.config.hiddenSize;
  const out = new Float64Array(T * T);
  forward(stack, input);
  const dy = dyBuffer(stack, input);
  for (let t = 0; t < T; t++) {
    setLossStep(stack, dy, input, t, 1);
    stack.backward(dy, undefined, undefined, { inputGrad: false, stateGrads: true });
    setLossStep(stack, dy, input, t, 0);
    const g = stack.stateGradients(stack.config.numLayers - 1, 0);
    for (let k = 0; k <= t; k++) out[t * T + k] = norm(g, k * B * H, B * H);
  }
  return out;
}

/**
 * The spectral radius and largest singular value of one gate block of one recurrent weight matrix.
 */
export interface WeightSpectrum {
  layer: number;
  direction: 'forward' | 'reverse';
  gate: string;                     // "h" for the RNN; r,z,n (GRU); i,f,g,o (LSTM); "g" (residual xh)
  spectralRadius: number;           // max |λ| of the gate's (H,H) block of weight_hh
  maxSingularValue: number;         // ‖block‖₂
}

/** The gates of each cell kind, in PyTorch's order within weight_hh. */
export const GATE_NAMES: Record<string, readonly string[]> = {
  rnn: ['h'], gru: ['r', 'z', 'n'], lstm: ['i', 'f', 'g', 'o'], residual: ['g'],
};

/** ρ and σ_max of every (H,H) gate block of every weight_hh. Empty for the residual "x" form. */
export function weightSpectra(stack: RecurrentStack): WeightSpectrum[] {
  const c = stack.config;
  const H = c.hiddenSize;
  const out: WeightSpectrum[] = [];
  const gates = GATE_NAMES[c.cell]!;
  for (let l = 0; l < c.numLayers; l++) {
    for (let dir = 0; dir < (c.bidirectional ? 2 : 1); dir++) {
      const name = `weight_hh_l${l}${dir === 1 ? '_reverse' : ''}`;
      if (!stack.params.has(name)) continue;
      const w = stack.params.get(name).data;
      gates.forEach((gate, g) => {
        const block = Float64Array.from(w.subarray(g * H * H, (g + 1) * H * H));
        out.push({
          layer: l, direction: dir === 1 ? 'reverse' : 'forward', gate,
          spectralRadius: spectralRadius(block, H), maxSingularValue: maxSingularValue(block, H),
        });
      });
    }
  }
  return out;
}

/** The simple RNN's step Jacobian norms γ_k = ‖diag(f′(z_k)) Uᵀ‖₂ along a sequence. */
export interface JacobianNorms {
  step: number[];                   // k = 0 … T−1
  mean: number[];                   // mean over batch rows of γ_k = ‖diag(f'(z_k)) Uᵀ‖₂
  max: number[];                    // max over batch rows
  /** (Π_k mean γ_k)^(1/T): the notes' γ, the per-step factor the product behaves like. */
  geometricMean: number;
}

/**
 * For a simple RNN ("rnn" cell): γ_k = ‖diag(f'(z_k)) Uᵀ‖₂ of the top layer's forward direction at
 * every step k and batch row, U = weight_hh. With A = diag(f') Uᵀ, A Aᵀ = diag(f') UᵀU diag(f'), so
 * γ² is the largest eigenvalue of a symmetric matrix; f'(z_k) comes from h_k = f(z_k).
 * undefined for the other cells.
 */
export function rnnJacobianNorms(stack: RecurrentStack, input: FlowInput): JacobianNorms | undefined {
  const c = stack.config;
  if (c.cell !== 'rnn') return undefined;
  const { T, B } = input;
  const H = c.hiddenSize;
  const D = c.bidirectional ? 2 : 1;
  const top = c.numLayers - 1;
  const u = stack.params.get(`weight_hh_l${top}`).data;
  // A = diag(f') Uᵀ, so A Aᵀ = diag(f') Uᵀ U diag(f'): γ² = λ_max(diag(f') M diag(f')), M = UᵀU
  const m = gram(u, H, H);
  const y = forward(stack, input).y; // (T,B,D*H); the forward half of the top layer is h_k
  const fp = new Float64Array(H);
  const dmd = new Float64Array(H * H);
  const step: number[] = [];
  const mean: number[] = [];
  const max: number[] = [];
  let logSum = 0;
  for (let k = 0; k < T; k++) {
    let sum = 0;
    let hi = 0;
    for (let b = 0; b < B; b++) {
      const o = (k * B + b) * D * H;
      for (let j = 0; j < H; j++) fp[j] = derivative(c.nonlinearity, y[o + j]!);
      for (let i = 0; i < H; i++) for (let j = 0; j < H; j++) dmd[i * H + j] = fp[i]! * m[i * H + j]! * fp[j]!;
      const ev = symmetricEigenvalues(dmd, H);
      const gamma = Math.sqrt(Math.max(0, ev[H - 1]!));
      sum += gamma;
      hi = Math.max(hi, gamma);
    }
    step.push(k);
    mean.push(sum / B);
    max.push(hi);
    logSum += Math.log(sum / B);
  }
  return { step, mean, max, geometricMean: Math.exp(logSum / T) };
}

/** f'(z) from a = f(z). */
function derivative(f: string, a: number): number {
  switch (f) {
    case 'tanh': return 1 - a * a;
    case 'relu': return a > 0 ? 1 : 0;
    default: return 1;
  }
}

/** Least-squares slope of ln y against the index, over finite positive values. */
export function fitLogSlope(y: readonly number[]): number | null {
  let n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (let i = 0; i < y.length; i++) {
    const v = y[i]!;
    if (!(v > 0) || !Number.isFinite(v)) continue;
    const ly = Math.log(v);
    n++; sx += i; sy += ly; sxx += i * i; sxy += i * ly;
  }
  if (n < 2) return null;
  const den = n * sxx - sx * sx;
  return den === 0 ? null : (n * sxy - sx * sy) / den;
}

// ------------------------------------------------------------------------------------------------

function checkInput(stack: RecurrentStack, input: FlowInput): void {
  const { T, B } = input;
  if (!Number.isSafeInteger(T) || T < 1 || !Number.isSafeInteger(B) || B < 1) {
    throw new RecurError(`gradient flow: expected T, B ≥ 1, got T=${T}, B=${B}`);
  }
  const I = stack.config.inputSize;
  if (input.x.length !== T * B * I) throw new RecurError(`x: expected ${T * B * I} values for shape (${T}, ${B}, ${I}), got ${input.x.length}`);
}

function forward(stack: RecurrentStack, input: FlowInput) {
  checkInput(stack, input);
  return stack.forward(input.x, input.T, input.B, { h0: input.h0, c0: input.c0 });
}

/** A zero dy (T,B,D*H) of the stack's dtype. */
function dyBuffer(stack: RecurrentStack, input: FlowInput): FloatArray {
  const n = input.T * input.B * (stack.config.bidirectional ? 2 : 1) * stack.config.hiddenSize;
  return stack.params.data instanceof Float64Array ? new Float64Array(n) : new Float32Array(n);
}

/** dy[t, b, 0:H] = v: the top layer's forward half at step t. */
function setLossStep(stack: RecurrentStack, dy: FloatArray, input: FlowInput, t: number, v: number): void {
  const H = stack.config.hiddenSize;
  const D = stack.config.bidirectional ? 2 : 1;
  for (let b = 0; b < input.B; b++) dy.fill(v, (t * input.B + b) * D * H, (t * input.B + b) * D * H + H);
}

/** ∂L_t/∂h_k (T,B,H) of the top layer's forward direction for L_t = Σ h_t. */
function stateGradientsFor(stack: RecurrentStack, input: FlowInput, t: number): FloatArray {
  forward(stack, input);
  const dy = dyBuffer(stack, input);
  setLossStep(stack, dy, input, t, 1);
  stack.backward(dy, undefined, undefined, { inputGrad: false, stateGrads: true });
  return stack.stateGradients(stack.config.numLayers - 1, 0);
}

/** ‖a[o : o+n]‖₂, scaled so that large values neither overflow nor small ones underflow early. */
function norm(a: FloatArray, o: number, n: number): number {
  let scale = 0;
  for (let i = 0; i < n; i++) scale = Math.max(scale, Math.abs(a[o + i]!));
  if (scale === 0 || !Number.isFinite(scale)) return scale;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const v = a[o + i]! / scale;
    s += v * v;
  }
  return scale * Math.sqrt(s);
}
