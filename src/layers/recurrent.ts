/**
 * @module layers/recurrent
 * The recurrent stack: any cell, L layers, one or two directions, dropout between layers, and
 * per-sequence lengths that make a padded batch behave exactly like PyTorch's packed sequences.
 *
 *   H_t^(1) = φ(X_t W_xh^(1) + H_{t−1}^(1) W_hh^(1) + b^(1))
 *   H_t^(ℓ) = φ(H_t^(ℓ−1) W_xh^(ℓ) + H_{t−1}^(ℓ) W_hh^(ℓ) + b^(ℓ))     (the notes' deep RNN)
 *   h_t = [h→_t ; h←_t]                                                   (bidirectional)
 *
 * Shapes follow torch.nn.RNN/GRU/LSTM: x (T,B,I) time-major, y (T,B,D*H), h0/h_n (L*D,B,H) with
 * index layer*D + direction, parameters `weight_ih_l{k}[_reverse]` (G*H, I_k) and so on.
 * Buffers are allocated per (T,B) and reused; the arrays a call returns are overwritten by the next.
 */
import { createCell, gateCount, hasRecurrentWeight, type Cell, type CellCache, type CellWeights, type SeqDims } from '../cells/index.js';
import { activeMask, finalSlot, stateSlot } from '../cells/sequence.js';
import { formatShape, RecurError } from '../errors.js';
import type { Kernels } from '../kernels/types.js';
import type { Rng } from '../tensor/rng.js';
import type { FloatArray } from '../tensor/types.js';
import type { RecurrentConfig } from './config.js';
import { ParamSet, type ParamSpec } from './params.js';

/**
 * The optional inputs of RecurrentStack.forward: initial states, each row's length (variable-length
 * batches), and whether dropout applies.
 */
export interface RecurrentInput {
  h0?: FloatArray | undefined;       // (L*D,B,H), zeros when absent
  c0?: FloatArray | undefined;       // (L*D,B,H), LSTM only
  lengths?: Int32Array | undefined;  // (B), each in 1..T; absent = every row has length T
  training?: boolean | undefined;    // dropout between layers only when true
}

/**
 * What RecurrentStack.forward returns: every step's top-layer output y and the final states. The
 * arrays are the stack's own workspace: the next forward may overwrite them.
 */
export interface RecurrentOutput {
  y: FloatArray;              // (T,B,D*H), zero at padded steps
  hN: FloatArray;             // (L*D,B,H)
  cN: FloatArray | undefined; // (L*D,B,H), LSTM only
}

/**
 * What RecurrentStack.backward returns: the gradients of the input sequence and of the initial
 * states (the parameters' go into params.grad). The next backward may overwrite them.
 */
export interface RecurrentGrads {
  dx: FloatArray | undefined;  // (T,B,I); undefined when not asked for
  dh0: FloatArray;             // (L*D,B,H)
  dc0: FloatArray | undefined; // (L*D,B,H), LSTM only
}

/** Parameter names and shapes in state_dict order: per layer, per direction: W_ih, W_hh, b_ih, b_hh. */
export function recurrentParamSpecs(c: RecurrentConfig, prefix = ''): ParamSpec[] {
  const GH = gateCount(c.cell) * c.hiddenSize;
  const D = c.bidirectional ? 2 : 1;
  const recurrent = hasRecurrentWeight(c);
  const specs: ParamSpec[] = [];
  for (let l = 0; l < c.numLayers; l++) {
    const I = l === 0 ? c.inputSize : D * c.hiddenSize;
    for (let dir = 0; dir < D; dir++) {
      const s = `l${l}${dir === 1 ? '_reverse' : ''}`;
      specs.push({ name: `${prefix}weight_ih_${s}`, shape: [GH, I] });
      if (recurrent) specs.push({ name: `${prefix}weight_hh_${s}`, shape: [GH, c.hiddenSize] });
      if (c.bias) specs.push({ name: `${prefix}bias_ih_${s}`, shape: [GH] });
      if (c.bias && recurrent) specs.push({ name: `${prefix}bias_hh_${s}`, shape: [GH] });
    }
  }
  return specs;
}

/** PyTorch's default: every weight and bias ~ U(−1/√H, 1/√H); LSTM's forget bias optionally raised. */
export function initRecurrent(params: ParamSet, c: RecurrentConfig, rng: Rng, prefix = ''): void {
  const bound = 1 / Math.sqrt(c.hiddenSize);
  for (const spec of recurrentParamSpecs(c, prefix)) {
    const p = params.get(spec.name);
    for (let i = 0; i < p.size; i++) p.data[i] = rng.uniformIn(-bound, bound);
    if (c.cell === 'lstm' && c.forgetBias !== 0 && spec.name.startsWith(`${prefix}bias_ih_`)) {
      const H = c.hiddenSize;
      for (let j = H; j < 2 * H; j++) p.data[j]! += c.forgetBias; // gate order i,f,g,o
    }
  }
}

interface LayerState {
  caches: CellCache[];      // per direction
  dims: SeqDims[];          // per direction
  y: FloatArray;            // (T,B,D*H)
  mask: FloatArray | undefined;    // (T,B,D*H) dropout mask (0 or 1/(1−p)), below the top layer only
  dropped: FloatArray | undefined; // (T,B,D*H) y ⊙ mask
  next: FloatArray;         // the next layer's input: y, or y ⊙ mask in training
  dIn: FloatArray;          // (T,B,I_l) gradient of this layer's input
  stateGrads: (FloatArray | undefined)[]; // per direction (T,B,H) ∂L/∂h_t, when asked for
}

/**
 * A stack of recurrent layers (layers × directions over padded, variable-length batches, dropout
 * between layers) with PyTorch's parameter names and layout: forward over a whole sequence, then
 * exact backpropagation through time.
 */
export class RecurrentStack {
  readonly config: RecurrentConfig;
  readonly params: ParamSet;      // PyTorch's tensors (weight_ih_l0, …) in one buffer
  private readonly k: Kernels;
  private readonly cell: Cell;
  private readonly D: number;
  private readonly weights: CellWeights[][];  // [layer][direction]
  private readonly grads: CellWeights[][];
  private readonly rng: Rng;
  private T = -1;
  private B = -1;
  private workspace: FloatArray[] = []; // every buffer sized by (T,B), freed when they change
  private layers: LayerState[] = [];
  private io!: { hN: FloatArray; cN: FloatArray | undefined; dh0: FloatArray; dc0: FloatArray | undefined;
                 zeros: FloatArray; dYdir: FloatArray };
  private input: { x: FloatArray; tokens: Int32Array | undefined; h0: FloatArray | undefined;
                   c0: FloatArray | undefined; training: boolean } | undefined;
  // forwardTokens' indices, copied into the backend's memory
  private tokenBlock: FloatArray;
  private tokens: Int32Array;

  /** Pass `params` to live inside a larger model's flat buffer (names then carry `prefix`). */
  constructor(config: RecurrentConfig, k: Kernels, rng: Rng, params?: ParamSet, prefix = '') {
    this.config = config;
    this.k = k;
    this.rng = rng;
    this.cell = createCell(k, config);
    this.D = config.bidirectional ? 2 : 1;
    if (params) this.params = params;
    else {
      this.params = new ParamSet(k, recurrentParamSpecs(config));
      initRecurrent(this.params, config, rng);
    }
    const view = (name: string, grad: boolean): FloatArray | undefined =>
      this.params.has(prefix + name) ? this.params.get(prefix + name)[grad ? 'grad' : 'data'] : undefined;
    const layerViews = (grad: boolean): CellWeights[][] => {
      const out: CellWeights[][] = [];
      for (let l = 0; l < config.numLayers; l++) {
        out.push([]);
        for (let dir = 0; dir < this.D; dir++) {
          const s = `l${l}${dir === 1 ? '_reverse' : ''}`;
          out[l]!.push({
            wIh: view(`weight_ih_${s}`, grad)!, wHh: view(`weight_hh_${s}`, grad),
            bIh: view(`bias_ih_${s}`, grad), bHh: view(`bias_hh_${s}`, grad),
          });
        }
      }
      return out;
    };
    this.weights = layerViews(false);
    this.grads = layerViews(true);
    this.tokenBlock = k.alloc(0);
    this.tokens = new Int32Array(0);
  }

  /** Run the whole stack over x (T,B,I). Keeps what backward needs. The returned arrays are the
   *  stack's workspace: the next forward overwrites them (copy what must be kept). */
  forward(x: FloatArray, T: number, B: number, opt: RecurrentInput = {}): RecurrentOutput {
    checkLength('x', x, T * B * this.config.inputSize, [T, B, this.config.inputSize]);
    return this.run(x, undefined, T, B, opt);
  }

  /** Run the stack over one-hot inputs: x_t,b = onehot(tokens[t,b]) of size inputSize, never built
   *  (layer 0's input projection gathers columns of W_ih instead of multiplying by x). tokens (T,B).
   *  A backward after this gives no dx (a one-hot input has no gradient). */
  forwardTokens(tokens: Int32Array, T: number, B: number, opt: RecurrentInput = {}): RecurrentOutput {
    const I = this.config.inputSize;
    if (tokens.length !== T * B) throw new RecurError(`tokens: expected ${T * B} values for shape ${formatShape([T, B])}, got ${tokens.length}`);
    for (let r = 0; r < tokens.length; r++) {
      const v = tokens[r]!;
      if (!(v >= 0 && v < I)) throw new RecurError(`tokens: expected indices in 0..${I - 1} (the input size), got ${v} at position ${r}`);
    }
    // the indices in the backend's memory, so that its kernels read them in place
    if (this.tokens.length < T * B) {
      this.k.free(this.tokenBlock);
      this.tokenBlock = this.k.alloc(T * B);
      this.tokens = new Int32Array(this.tokenBlock.buffer, this.tokenBlock.byteOffset, T * B);
    }
    const t = this.tokens.length === T * B ? this.tokens : this.tokens.subarray(0, T * B);
    t.set(tokens);
    return this.run(undefined, t, T, B, opt);
  }

  private run(x: FloatArray | undefined, tokens: Int32Array | undefined, T: number, B: number,
              opt: RecurrentInput): RecurrentOutput {
    const { hiddenSize: H, numLayers: L } = this.config;
    const D = this.D;
    if (opt.h0) checkLength('h0', opt.h0, L * D * B * H, [L * D, B, H]);
    if (opt.c0) {
      if (!this.cell.hasCellState) throw new RecurError(`c0: only an LSTM has a cell state; this stack is a ${this.config.cell}`);
      checkLength('c0', opt.c0, L * D * B * H, [L * D, B, H]);
    }
    const active = opt.lengths ? activeMask(checkLengths(opt.lengths, T, B), T, B) : undefined;
    this.ensureBuffers(T, B);
    const training = opt.training === true;
    this.input = { x: x ?? this.io.zeros, tokens, h0: opt.h0, c0: opt.c0, training };
    const { hN, cN, zeros } = this.io;
    const BH = B * H;

    let input = x ?? zeros;
    for (let l = 0; l < L; l++) {
      const layer = this.layers[l]!;
      for (let dir = 0; dir < D; dir++) {
        const s = l * D + dir;
        const d = layer.dims[dir]!;
        d.active = active;
        d.tokens = l === 0 ? tokens : undefined;
        d.stateGrads = undefined;
        const cache = layer.caches[dir]!;
        this.cell.forward(cache, input,
          opt.h0 ? opt.h0.subarray(s * BH, (s + 1) * BH) : zeros,
          this.cell.hasCellState ? (opt.c0 ? opt.c0.subarray(s * BH, (s + 1) * BH) : zeros) : undefined,
          this.weights[l]![dir]!, d);
        // y[t, b, dir*H:(dir+1)*H] = h_t (0 at padded steps);  h_n[s] = the final state
        writeDirection(layer.y, cache.hs.all, d, dir, D, H);
        hN.set(cache.hs.at[finalSlot(d)]!, s * BH);
        if (cN) cN.set(cache.cs!.at[finalSlot(d)]!, s * BH);
      }
      layer.next = layer.y;
      if (training && layer.mask && layer.dropped) {
        // dropout between layers: each unit kept with probability 1 − p and scaled by 1/(1 − p)
        this.fillDropoutMask(layer.mask);
        for (let i = 0; i < layer.y.length; i++) layer.dropped[i] = layer.y[i]! * layer.mask[i]!;
        layer.next = layer.dropped;
      }
      input = layer.next;
    }
    return { y: this.layers[L - 1]!.y, hN, cN };
  }

  /** ∂L/∂h_t (T,B,H) of one layer and direction, from the last backward with `stateGrads: true`. */
  stateGradients(layer: number, direction = 0): FloatArray {
    const g = this.layers[layer]?.stateGrads[direction];
    if (!g) throw new Error('RecurrentStack.stateGradients: run backward with { stateGrads: true } first');
    return g;
  }

  /** The outputs of the last forward (the same arrays it returned). */
  lastOutput(): RecurrentOutput {
    if (!this.input) throw new Error('RecurrentStack.lastOutput called before forward');
    return { y: this.layers[this.layers.length - 1]!.y, hN: this.io.hN, cN: this.io.cN };
  }

  /** Gradients of Σ y·dy + Σ h_n·dh_n + Σ c_n·dc_n: accumulated into params.grad, returned for inputs.
   *  `inputGrad: false` skips dx (a one-hot input needs none; it saves one product per layer-0 direction;
   *  after forwardTokens there is none).
   *  `stateGrads: true` records ∂L/∂h_t of every layer, direction and step: see `stateGradients`. */
  backward(dy: FloatArray, dhN?: FloatArray, dcN?: FloatArray,
           opt: { inputGrad?: boolean; stateGrads?: boolean } = {}): RecurrentGrads {
    if (!this.input) throw new Error('RecurrentStack.backward called before forward');
    const { hiddenSize: H, numLayers: L } = this.config;
    const { T, B, D } = this;
    const BH = B * H;
    checkLength('dy', dy, T * B * D * H, [T, B, D * H]);
    if (dhN) checkLength('dh_n', dhN, L * D * BH, [L * D, B, H]);
    if (dcN) checkLength('dc_n', dcN, L * D * BH, [L * D, B, H]);
    const { dh0, dc0, zeros, dYdir } = this.io;

    const tokens = this.input.tokens;
    let dOut = dy;
    for (let l = L - 1; l >= 0; l--) {
      const layer = this.layers[l]!;
      const input = l === 0 ? this.input.x : this.layers[l - 1]!.next;
      const dIn = l > 0 || (opt.inputGrad !== false && !tokens) ? layer.dIn : undefined;
      dIn?.fill(0);
      for (let dir = 0; dir < D; dir++) {
        const s = l * D + dir;
        const d = layer.dims[dir]!;
        // one direction, no padding: dy is this direction's gradient as it is
        const dYdirection = D === 1 && !d.active ? dOut : readDirection(dYdir, dOut, d, dir, D, H);
        if (opt.stateGrads) layer.stateGrads[dir] ??= this.allocWork(T * B * H);
        d.stateGrads = opt.stateGrads ? layer.stateGrads[dir] : undefined;
        this.cell.backward(this.grads[l]![dir]!, dIn,
          dh0.subarray(s * BH, (s + 1) * BH), dc0 ? dc0.subarray(s * BH, (s + 1) * BH) : undefined,
          dYdirection, dhN ? dhN.subarray(s * BH, (s + 1) * BH) : zeros,
          this.cell.hasCellState ? (dcN ? dcN.subarray(s * BH, (s + 1) * BH) : zeros) : undefined,
          layer.caches[dir]!, input, this.weights[l]![dir]!, d);
      }
      if (l > 0) {
        const below = this.layers[l - 1]!;
        if (below.next === below.dropped) for (let i = 0; i < layer.dIn.length; i++) layer.dIn[i]! *= below.mask![i]!;
      }
      dOut = layer.dIn;
    }
    return { dx: opt.inputGrad === false || tokens ? undefined : this.layers[0]!.dIn, dh0, dc0 };
  }

  private ensureBuffers(T: number, B: number): void {
    if (T === this.T && B === this.B) return;
    const { inputSize: I, hiddenSize: H, numLayers: L } = this.config;
    const D = this.D;
    for (const a of this.workspace) this.k.free(a);
    this.workspace = [];
    const alloc = (n: number): FloatArray => this.allocWork(n);
    this.layers = [];
    for (let l = 0; l < L; l++) {
      const Il = l === 0 ? I : D * H;
      const caches: CellCache[] = [];
      const dims: SeqDims[] = [];
      for (let dir = 0; dir < D; dir++) {
        caches.push(this.cell.createCache(alloc, T, B, Il, H));
        dims.push({ T, B, I: Il, H, reverse: dir === 1, active: undefined, tokens: undefined, stateGrads: undefined });
      }
      const y = alloc(T * B * D * H);
      const dropout = l < L - 1 && this.config.dropout > 0;
      this.layers.push({
        caches, dims, y, next: y, dIn: alloc(T * B * Il), stateGrads: [],
        mask: dropout ? alloc(y.length) : undefined, dropped: dropout ? alloc(y.length) : undefined,
      });
    }
    const lstm = this.cell.hasCellState;
    this.io = {
      hN: alloc(L * D * B * H), cN: lstm ? alloc(L * D * B * H) : undefined,
      dh0: alloc(L * D * B * H), dc0: lstm ? alloc(L * D * B * H) : undefined,
      zeros: alloc(B * H), dYdir: alloc(T * B * H),
    };
    this.T = T;
    this.B = B;
  }

  /** A buffer that lives until (T,B) change. */
  private allocWork(n: number): FloatArray {
    const a = this.k.alloc(n);
    this.workspace.push(a);
    return a;
  }

  private fillDropoutMask(mask: FloatArray): void {
    const p = this.config.dropout;
    const keep = 1 / (1 - p);
    for (let i = 0; i < mask.length; i++) mask[i] = this.rng.uniform() < p ? 0 : keep;
  }
}

/** y[t, b, dir*H:(dir+1)*H] = h_t from one direction's states hs (T+1,B,H); 0 at padded steps. */
function writeDirection(y: FloatArray, hs: FloatArray, d: SeqDims, dir: number, D: number, H: number): void {
  const { T, B, active } = d;
  if (D === 1 && !active && !d.reverse) {
    y.set(hs.subarray(B * H, (T + 1) * B * H)); // slots 1..T are h_0..h_{T−1} in time order
    return;
  }
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      const yo = ((t * B + b) * D + dir) * H;
      const ho = (stateSlot(t, d) * B + b) * H;
      const on = !active || active[t * B + b] === 1;
      for (let j = 0; j < H; j++) y[yo + j] = on ? hs[ho + j]! : 0;
    }
  }
}

/** dYdir (T,B,H) = dy[:, :, dir*H:(dir+1)*H]; 0 at padded steps, where y is a constant. */
function readDirection(dYdir: FloatArray, dy: FloatArray, d: SeqDims, dir: number, D: number, H: number): FloatArray {
  const { T, B, active } = d;
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      const o = (t * B + b) * H;
      const yo = ((t * B + b) * D + dir) * H;
      const on = !active || active[t * B + b] === 1;
      for (let j = 0; j < H; j++) dYdir[o + j] = on ? dy[yo + j]! : 0;
    }
  }
  return dYdir;
}

function checkLength(name: string, a: FloatArray, n: number, shape: number[]): void {
  if (a.length !== n) throw new RecurError(`${name}: expected ${n} values for shape ${formatShape(shape)}, got ${a.length}`);
}

function checkLengths(lengths: Int32Array, T: number, B: number): Int32Array {
  if (lengths.length !== B) throw new RecurError(`lengths: expected shape (${B}) (one per batch row), got (${lengths.length})`);
  for (let b = 0; b < B; b++) {
    const n = lengths[b]!;
    if (n < 1 || n > T) throw new RecurError(`lengths: expected every length in 1..${T}, got ${n} at index ${b}`);
  }
  return lengths;
}
