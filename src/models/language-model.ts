/**
 * @module models/language-model
 * The notes' language model: tokens in, a distribution over the next token out, at every step.
 *
 *   x_t = onehot(w_t) or E[w_t]           one-hot (d2l) or an embedding (V,E)
 *   h_t = RNN(h_{t-1}, x_t)               any recurrent stack
 *   o_t = W_qh h_t + b_q                  head (V, D·H)
 *   L   = mean_t,b −log softmax(o_t)[w_{t+1}]    perplexity = exp(L)
 *
 * Parameters live in one ParamSet: `embedding.weight`, `rnn.<state_dict name>`, `head.weight`,
 * `head.bias`. T time (the truncation length), B batch, V vocabulary, E embedding, H hidden.
 */
import { RecurError } from '../errors.js';
import type { Kernels } from '../kernels/types.js';
import type { RecurrentConfig } from '../layers/config.js';
import { checkIndices, embeddingBackward, embeddingForward, embeddingSpecs, initEmbedding, oneHot } from '../layers/embedding.js';
import { initLinear, linearBackward, linearForward, linearSpecs } from '../layers/linear.js';
import { crossEntropy, type LossValue, type Reduction } from '../layers/loss.js';
import { ParamSet } from '../layers/params.js';
import { initRecurrent, recurrentParamSpecs, RecurrentStack, type RecurrentInput } from '../layers/recurrent.js';
import type { Rng } from '../tensor/rng.js';
import type { FloatArray } from '../tensor/types.js';

/**
 * A language model's shape: vocabulary size V, embedding size E (null: one-hot input) and the
 * recurrent stack (its inputSize E, or V when one-hot).
 */
export interface LanguageModelConfig {
  vocabSize: number;            // V
  embeddingSize: number | null; // E; null = one-hot input of size V
  rnn: RecurrentConfig;         // its inputSize is E (or V when one-hot)
}

/** The recurrent state carried between calls: h (L*D,B,H) and, for an LSTM, c. */
export interface LmState {
  h: FloatArray;             // (L*D,B,H)
  c: FloatArray | undefined; // (L*D,B,H), LSTM only
}

/**
 * A recurrent language model: embedding (or one-hot) → RecurrentStack → linear projection to V
 * logits, with forward, exact backward and a one-step mode for generation.
 */
export class LanguageModel {
  readonly config: LanguageModelConfig;
  readonly params: ParamSet;      // every parameter: embedding, stack, head
  readonly stack: RecurrentStack; // the recurrent layers (sharing params)
  /** Initialisation, then dropout masks: a trainer saves its state to resume exactly. */
  readonly rng: Rng;
  private readonly k: Kernels;
  private stepStack: RecurrentStack | undefined; // shares params; its own (1,B) workspace
  private ws: { T: number; B: number; x: FloatArray; logits: FloatArray; dLogits: FloatArray; dy: FloatArray;
              } | undefined;
  private last: { inputs: Int32Array; T: number; B: number; y: FloatArray } | undefined;

  constructor(config: LanguageModelConfig, k: Kernels, rng: Rng) {
    const { vocabSize: V, embeddingSize: E, rnn } = config;
    const I = E ?? V;
    if (rnn.inputSize !== I) {
      throw new RecurError(`language model: rnn.inputSize must be ${E === null ? `the vocabulary size ${V} (one-hot input)` : `the embedding size ${E}`}, got ${rnn.inputSize}`);
    }
    this.config = config;
    this.k = k;
    this.rng = rng;
    const DH = (rnn.bidirectional ? 2 : 1) * rnn.hiddenSize;
    this.params = new ParamSet(k, [
      ...(E === null ? [] : embeddingSpecs('embedding.', V, E)),
      ...recurrentParamSpecs(rnn, 'rnn.'),
      ...linearSpecs('head.', DH, V),
    ]);
    if (E !== null) initEmbedding(this.params, 'embedding.', rng);
    initRecurrent(this.params, rnn, rng, 'rnn.');
    initLinear(this.params, 'head.', DH, rng);
    this.stack = new RecurrentStack(rnn, k, rng, this.params, 'rnn.');
  }

  /** V, the number of tokens it predicts. */
  get vocabSize(): number { return this.config.vocabSize; }
  private get outSize(): number { return (this.config.rnn.bidirectional ? 2 : 1) * this.config.rnn.hiddenSize; }

  /** Forward over inputs (T,B) token ids and the loss against targets (T,B); keeps what backward
   *  needs. `state` (optional) is the initial state; the final one is `finalState()`. */
  loss(inputs: Int32Array, targets: Int32Array, T: number, B: number,
       opt: { state?: LmState | undefined; training?: boolean; reduction?: Reduction } = {}): LossValue {
    const V = this.config.vocabSize;
    if (inputs.length !== T * B || targets.length !== T * B) {
      throw new RecurError(`language model: expected ${T * B} input and target tokens for (T, B) = (${T}, ${B}), got ${inputs.length} and ${targets.length}`);
    }
    const logits = this.logits(inputs, T, B, opt);
    return crossEntropy(this.k, logits, targets, this.ws!.dLogits, T * B, V, { reduction: opt.reduction ?? 'mean' });
  }

  /** Forward over inputs (T,B) token ids: the logits (T·B, V), row t·B + b predicting the token
   *  after inputs[t, b]. Scores text with a bidirectional model too, which is how d2l's "wrong
   *  application" generates (see generateRescored). The model's workspace: the next call
   *  overwrites them. */
  logits(inputs: Int32Array, T: number, B: number, opt: { state?: LmState | undefined; training?: boolean } = {}): FloatArray {
    const V = this.config.vocabSize;
    if (inputs.length !== T * B) throw new RecurError(`language model: expected ${T * B} input tokens for (T, B) = (${T}, ${B}), got ${inputs.length}`);
    checkIndices(inputs, V, 'inputs');
    const ws = this.workspace(T, B);
    const run = { h0: opt.state?.h, c0: opt.state?.c, training: opt.training === true };
    // one-hot: the stack gathers columns of W_ih instead of multiplying by one-hot rows
    const out = this.config.embeddingSize === null ? this.stack.forwardTokens(inputs, T, B, run)
      : (this.encode(ws.x, inputs, T * B), this.stack.forward(ws.x, T, B, run));
    const head = this.head();
    linearForward(this.k, ws.logits, out.y, head.w.data, head.b.data, T * B, this.outSize, V); // (T·B, V)
    this.last = { inputs, T, B, y: out.y };
    return ws.logits;
  }

  /** Backward of the last `loss`: accumulates into params.grad (zero it first). */
  backward(): void {
    if (!this.last || !this.ws) throw new Error('LanguageModel.backward called before loss');
    const { inputs, T, B, y } = this.last;
    const ws = this.ws;
    const V = this.config.vocabSize;
    const head = this.head();
    ws.dy.fill(0);
    linearBackward(this.k, ws.dy, head.w.grad, head.b.grad, ws.dLogits, y, head.w.data, T * B, this.outSize, V);
    const E = this.config.embeddingSize;
    const g = this.stack.backward(ws.dy, undefined, undefined, { inputGrad: E !== null });
    if (E !== null) embeddingBackward(this.params.get('embedding.weight').grad, g.dx!, inputs, T * B, E);
  }

  /** The final state of the last forward: copy it before the next call if it must be kept. */
  finalState(): LmState {
    return { h: this.stack.lastOutput().hN, c: this.stack.lastOutput().cN };
  }

  /** Copy the last forward's final state into `state` (detached: it is data now, not a graph), to
   *  start the next chunk of text. A reverse direction's final state belongs to the start of the
   *  chunk just read, not to the next one: it restarts from zero. */
  carryState(state: LmState): void {
    const out = this.stack.lastOutput();
    state.h.set(out.hN);
    if (state.c && out.cN) state.c.set(out.cN);
    const { numLayers: L, bidirectional } = this.config.rnn;
    if (!bidirectional) return;
    const BH = state.h.length / (2 * L);
    for (let l = 0; l < L; l++) {
      state.h.fill(0, (2 * l + 1) * BH, (2 * l + 2) * BH);
      state.c?.fill(0, (2 * l + 1) * BH, (2 * l + 2) * BH);
    }
  }

  /** A zero state for B rows. */
  zeroState(B: number): LmState {
    const n = this.config.rnn.numLayers * (this.config.rnn.bidirectional ? 2 : 1) * B * this.config.rnn.hiddenSize;
    return { h: this.k.alloc(n), c: this.config.rnn.cell === 'lstm' ? this.k.alloc(n) : undefined };
  }

  /** One step for generation: tokens (B) → logits (B,V); `state` is read and updated in place.
   *  The logits are the model's workspace: the next step overwrites them. */
  step(tokens: Int32Array, state: LmState): FloatArray {
    if (this.config.rnn.bidirectional) {
      throw new RecurError('a bidirectional model sees the future: it can score text but cannot generate it');
    }
    const B = tokens.length;
    const V = this.config.vocabSize;
    checkIndices(tokens, V, 'tokens');
    this.stepStack ??= new RecurrentStack(this.config.rnn, this.k, this.rng, this.params, 'rnn.');
    const ws = this.stepWorkspace(B);
    ws.run.h0 = state.h;
    ws.run.c0 = state.c;
    let out;
    if (this.config.embeddingSize === null) out = this.stepStack.forwardTokens(tokens, 1, B, ws.run);
    else {
      this.encode(ws.x, tokens, B);
      out = this.stepStack.forward(ws.x, 1, B, ws.run);
    }
    state.h.set(out.hN);
    if (state.c && out.cN) state.c.set(out.cN);
    const head = this.head();
    linearForward(this.k, ws.logits, out.y, head.w.data, head.b.data, B, this.outSize, V);
    return ws.logits; // exactly (B,V): the step workspace is sized for B
  }

  private head() {
    return { w: this.params.get('head.weight'), b: this.params.get('head.bias') };
  }

  /** x (R, E or V): embedding rows or one-hot rows of the tokens. */
  private encode(x: FloatArray, tokens: Int32Array, R: number): void {
    const E = this.config.embeddingSize;
    if (E === null) oneHot(x, tokens, R, this.config.vocabSize);
    else embeddingForward(x, tokens, this.params.get('embedding.weight').data, R, E);
  }

  private workspace(T: number, B: number) {
    if (this.ws && this.ws.T === T && this.ws.B === B) return this.ws;
    if (this.ws) for (const a of [this.ws.x, this.ws.logits, this.ws.dLogits, this.ws.dy]) this.k.free(a);
    const I = this.config.rnn.inputSize;
    const V = this.config.vocabSize;
    this.ws = {
      T, B, x: this.k.alloc(this.config.embeddingSize === null ? 0 : T * B * I), logits: this.k.alloc(T * B * V), dLogits: this.k.alloc(T * B * V),
      dy: this.k.alloc(T * B * this.outSize),
    };
    return this.ws;
  }

  private stepBuffers: { B: number; x: FloatArray; logits: FloatArray; run: RecurrentInput } | undefined;
  private stepWorkspace(B: number) {
    if (this.stepBuffers && this.stepBuffers.B === B) return this.stepBuffers;
    if (this.stepBuffers) { this.k.free(this.stepBuffers.x); this.k.free(this.stepBuffers.logits); }
    const x = this.k.alloc(this.config.embeddingSize === null ? 0 : B * this.config.rnn.inputSize);
    this.stepBuffers = { B, x, logits: this.k.alloc(B * this.config.vocabSize), run: {} };
    return this.stepBuffers;
  }
}
