/**
 * @module layers/recurrent
 * The recurrent stack: any cell, L layers, one or two directions, dropout between layers, and
 * per-sequence lengths that make a padded batch behave exactly like PyTorch's packed sequences.
 *
 *   H_t^(1) = φ(X_t W_xh^(1) + H_{t−1}^(1) W_hh^(1) + b^(1))
 *   H_t^(ℓ) = φ(H_t^(ℓ−1) W_xh^(ℓ) + H_{t−1}^(ℓ) W_hh^(ℓ) + b^(ℓ))     (the notes' deep RNN)
 *   h_t = [h→_t ; h←_t]                                                   (bidirectional)
 *
 * A batch with lengths runs with its rows ordered by length (layers/recurrent-order); what goes in
 * and comes out is in the caller's order.
 *
 * Shapes follow torch.nn.RNN/GRU/LSTM: x (T,B,I) time-major, y (T,B,D*H), h0/h_n (L*D,B,H) with
 * index layer*D + direction, parameters `weight_ih_l{k}[_reverse]` (G*H, I_k) and so on.
 * Buffers are allocated per (T,B) and reused; the arrays a call returns are overwritten by the next.
 */
import { createCell, gateCount, hasRecurrentWeight, type Cell, type CellCache, type CellWeights, type SeqDims } from '../cells/index.js';
import { activeMask, finalSlot } from '../cells/sequence.js';
import { formatShape, RecurError } from '../errors.js';
import type { Kernels } from '../kernels/types.js';
import type { Rng } from '../tensor/rng.js';
import type { FloatArray } from '../tensor/types.js';
import type { RecurrentConfig } from './config.js';
import { ParamSet, type ParamSpec } from './params.js';
import { checkLengths, readDirection, RowOrder, toCaller, writeDirection, type Ordered } from './recurrent-order.js';

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
  stateGradsOut: (FloatArray | undefined)[]; // the same in the caller's row order, for a padded batch
  full: { y: FloatArray; dIn: FloatArray; mask: FloatArray | undefined; dropped: FloatArray | undefined };
                            // the buffers behind y, dIn, mask and dropped, for the capacity's T
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
  private capacity = -1; // the T the buffers are sized for: a batch of B rows and T ≤ capacity reuses them
  private workspace: FloatArray[] = []; // every buffer sized by (T,B), freed when they change
  private layers: LayerState[] = [];
  private io!: { hN: FloatArray; cN: FloatArray | undefined; dh0: FloatArray; dc0: FloatArray | undefined;
                 zeros: FloatArray; dYdir: FloatArray };
  private input: { x: FloatArray; tokens: Int32Array | undefined; h0: FloatArray | undefined;
                   c0: FloatArray | undefined; training: boolean; order: RowOrder | undefined } | undefined;
  private ordered: Ordered | undefined;
  private stateGradsOrdered = false; // the last backward's recorded ∂L/∂h_t are in running order
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
    return this.run(undefined, tokens, T, B, opt);
  }

  /** The indices in the backend's memory (in running order), so that its kernels read them in place. */
  private tokensIn(tokens: Int32Array, T: number, B: number, order: RowOrder | undefined): Int32Array {
    if (this.tokens.length < T * B) {
      this.k.free(this.tokenBlock);
      this.tokenBlock = this.k.alloc(T * B);
      this.tokens = new Int32Array(this.tokenBlock.buffer, this.tokenBlock.byteOffset, T * B);
    }
    const t = this.tokens.length === T * B ? this.tokens : this.tokens.subarray(0, T * B);
    return order ? order.gather(t, tokens, T, 1) : (t.set(tokens), t);
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
    const order = opt.lengths ? RowOrder.of(checkLengths(opt.lengths, T, B), T) : undefined;
    const active = order ? activeMask(order.lengths, T, B) : undefined;
    this.ensureBuffers(T, B);
    const o = order ? this.orderedBuffers(order) : undefined;
    const training = opt.training === true;
    // inputs in running order
    const I = this.config.inputSize;
    if (o && x) x = order!.gather(o.x ??= this.allocWork(this.capacity * B * I), x, T, I);
    if (tokens) tokens = this.tokensIn(tokens, T, B, order);
    const h0 = o && opt.h0 ? order!.gather(o.h0, opt.h0, L * D, H) : opt.h0;
    const c0 = o && opt.c0 ? order!.gather(o.c0, opt.c0, L * D, H) : opt.c0;
    this.input = { x: x ?? this.io.zeros, tokens, h0, c0, training, order };
    const { hN, cN, zeros } = this.io;
    const BH = B * H;

    let input = x ?? zeros;
    for (let l = 0; l < L; l++) {
      const layer = this.layers[l]!;
      for (let dir = 0; dir < D; dir++) {
        const s = l * D + dir;
        const d = layer.dims[dir]!;
        d.active = active;
        d.lengths = o?.lengths;
        d.tokens = l === 0 ? tokens : undefined;
        d.stateGrads = undefined;
        const cache = layer.caches[dir]!;
        this.cell.forward(cache, input,
          h0 ? h0.subarray(s * BH, (s + 1) * BH) : zeros,
          this.cell.hasCellState ? (c0 ? c0.subarray(s * BH, (s + 1) * BH) : zeros) : undefined,
          this.weights[l]![dir]!, d);
        // y[t, b, dir*H:(dir+1)*H] = h_t (0 at padded steps; the top layer's in the caller's order);
        // h_n[s] = the final state
        writeDirection(layer.y, cache.hs.all, d, dir, D, H, l === L - 1 ? order?.perm : undefined);
        toCaller(order, hN.subarray(s * BH, (s + 1) * BH), cache.hs.at[finalSlot(d)]!, H);
        if (cN) toCaller(order, cN.subarray(s * BH, (s + 1) * BH), cache.cs!.at[finalSlot(d)]!, H);
      }
      layer.next = layer.y;
      if (training && layer.mask && layer.dropped) {
        // dropout between layers: each unit kept with probability 1 − p and scaled by 1/(1 − p),
        // drawn in the caller's row order
        if (order) order.gather(layer.mask, this.fillDropoutMask(layer.dropped), T, D * H);
        else this.fillDropoutMask(layer.mask);
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
    const out = this.stateGradsOrdered ? this.layers[layer]!.stateGradsOut[direction]! : g;
    return out.subarray(0, this.T * this.B * this.config.hiddenSize); // (T,B,H) of the capacity's buffer
  }

  /** The gate activations of one layer and direction in the last forward, (T,B,G·H) after σ and
   *  tanh (LSTM: i, f, g, o; GRU: r, z, n), rows in the order the cell ran them (the caller's order
   *  unless the batch had lengths); undefined for a cell without gates (rnn, residual). */
  gateActivations(layer: number, direction = 0): FloatArray | undefined {
    const cache = this.layers[layer]?.caches[direction] as { gates?: { all: FloatArray } } | undefined;
    if (!cache || !this.input) throw new Error('RecurrentStack.gateActivations called before forward');
    const G = this.config.cell === 'lstm' ? 4 : this.config.cell === 'gru' ? 3 : 0;
    return G === 0 ? undefined : cache.gates!.all.subarray(0, this.T * this.B * G * this.config.hiddenSize);
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
    const { zeros, dYdir } = this.io;
    const { tokens, order } = this.input;
    // in running order: dh_n, dc_n in, dh0, dc0 out (dy is read in the caller's order, dx written back)
    const o = order ? this.ordered! : undefined;
    if (o && dhN) dhN = order!.gather(o.dhN, dhN, L * D, H);
    if (o && dcN) dcN = order!.gather(o.dcN, dcN, L * D, H);
    const dh0 = o ? o.dh0 : this.io.dh0;
    const dc0 = this.io.dc0 && o ? o.dc0 : this.io.dc0;
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
        const dYdirection = D === 1 && !d.active ? dOut
          : readDirection(dYdir, dOut, d, dir, D, H, l === L - 1 ? order?.perm : undefined);
        if (opt.stateGrads) layer.stateGrads[dir] ??= this.allocWork(this.capacity * B * H);
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
    if (opt.stateGrads) this.stateGradsToCaller(order);
    const dx = opt.inputGrad === false || tokens ? undefined : this.layers[0]!.dIn;
    if (!o) return { dx, dh0, dc0 };
    const I = this.config.inputSize;
    o.dx ??= this.allocWork(this.capacity * B * I);
    return {
      dx: dx && order!.scatter(o.dx.subarray(0, dx.length), dx, T, I),
      dh0: order!.scatter(this.io.dh0, dh0, L * D, H),
      dc0: dc0 && order!.scatter(this.io.dc0!, dc0, L * D, H),
    };
  }

  /** What stateGradients returns: the recorded ∂L/∂h_t, in the caller's row order. */
  private stateGradsToCaller(order: RowOrder | undefined): void {
    this.stateGradsOrdered = order !== undefined;
    if (!order) return;
    for (const layer of this.layers) {
      layer.stateGrads.forEach((g, dir) => {
        if (g) order.scatter(layer.stateGradsOut[dir] ??= this.allocWork(g.length), g, this.T, this.config.hiddenSize);
      });
    }
  }

  /** Buffers for (T,B): those of the last (T',B) with T' ≥ T reused (a padded batch's T changes with
   *  its longest sequence), else new ones. */
  private ensureBuffers(T: number, B: number): void {
    if (T === this.T && B === this.B) return;
    if (B === this.B && T <= this.capacity) return this.useSteps(T);
    const { inputSize: I, hiddenSize: H, numLayers: L } = this.config;
    const D = this.D;
    for (const a of this.workspace) this.k.free(a);
    this.workspace = [];
    this.ordered = undefined;
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
      const full = { y, dIn: alloc(T * B * Il), mask: dropout ? alloc(y.length) : undefined,
                     dropped: dropout ? alloc(y.length) : undefined };
      this.layers.push({ caches, dims, ...full, next: y, stateGrads: [], stateGradsOut: [], full });
    }
    const lstm = this.cell.hasCellState;
    this.io = {
      hN: alloc(L * D * B * H), cN: lstm ? alloc(L * D * B * H) : undefined,
      dh0: alloc(L * D * B * H), dc0: lstm ? alloc(L * D * B * H) : undefined,
      zeros: alloc(B * H), dYdir: alloc(T * B * H),
    };
    this.T = T;
    this.B = B;
    this.capacity = T;
  }

  /** Run T ≤ capacity steps on the buffers there are: the per-step arrays' first T steps. */
  private useSteps(T: number): void {
    const n = T * this.B;
    for (const layer of this.layers) {
      for (const d of layer.dims) d.T = T;
      const { y, dIn, mask, dropped } = layer.full;
      layer.y = y.subarray(0, n * this.D * this.config.hiddenSize);
      layer.dIn = dIn.subarray(0, n * layer.dims[0]!.I);
      layer.mask = mask?.subarray(0, layer.y.length);
      layer.dropped = dropped?.subarray(0, layer.y.length);
      layer.next = layer.y;
    }
    this.T = T;
  }

  /** A buffer that lives until (T,B) change. */
  private allocWork(n: number): FloatArray {
    const a = this.k.alloc(n);
    this.workspace.push(a);
    return a;
  }

  private fillDropoutMask(mask: FloatArray): FloatArray {
    const p = this.config.dropout;
    const keep = 1 / (1 - p);
    for (let i = 0; i < mask.length; i++) mask[i] = this.rng.uniform() < p ? 0 : keep;
    return mask;
  }

  /** The buffers of a padded batch, made at the first one of this (T,B); the lengths copied in. */
  private orderedBuffers(order: RowOrder): Ordered {
    const { hiddenSize: H, numLayers: L } = this.config;
    const { B, D } = this;
    if (!this.ordered) {
      const states = (): FloatArray => this.allocWork(L * D * B * H);
      const block = this.allocWork(B);
      this.ordered = {
        x: undefined, dx: undefined, h0: states(), c0: states(), dhN: states(),
        dcN: states(), dh0: states(), dc0: states(), lengths: new Int32Array(block.buffer, block.byteOffset, B),
      };
    }
    this.ordered.lengths.set(order.lengths);
    return this.ordered;
  }
}

function checkLength(name: string, a: FloatArray, n: number, shape: number[]): void {
  if (a.length !== n) throw new RecurError(`${name}: expected ${n} values for shape ${formatShape(shape)}, got ${a.length}`);
}
