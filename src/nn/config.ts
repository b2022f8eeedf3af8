/**
 * @module nn/config
 * Layer configs: what `sequential([...])` takes and what a model file stores in `recur.config`.
 * Each is a plain JSON object discriminated by `type` (and a recurrent layer by `cell`), so a typo is
 * a compile-time error in TypeScript and a one-line message when it comes from a file.
 * `inputSize` may be left out where the layer follows another: the model fills it in.
 */
import type { Activation } from '../kernels/types.js';

/** Every layer may be named: its parameters are then `name.weight`, ... as in a PyTorch module's
 *  attributes (`rnn.weight_ih_l0`, `head.weight`); unnamed layers in a sequential take their index. */
export interface Named {
  readonly name?: string;
}

/** Options every recurrent layer takes (PyTorch's nn.RNN/GRU/LSTM names, camel-cased). */
interface RecurrentCommon extends Named {
  readonly type: 'recurrent';
  /** I; filled in from the layer before when absent. */
  readonly inputSize?: number;
  /** H */
  readonly hiddenSize: number;
  /** L, default 1 */
  readonly numLayers?: number;
  /** D = 2 when true, default false */
  readonly bidirectional?: boolean;
  /** b_ih and b_hh, default true */
  readonly bias?: boolean;
  /** Dropout between stacked layers while training, in [0, 1), default 0. */
  readonly dropout?: number;
  /** `'sequence'` (default): y (T,B,D·H), zero at padded steps. `'final'`: h_n of the top layer,
   *  (B,D·H), each row's state at its own last step (the reverse direction's at step 0): the
   *  `torch.cat([h_n[-2], h_n[-1]])` of a PyTorch classifier. */
  readonly output?: 'sequence' | 'final';
}

/** The simple RNN h_t = f(W_ih x_t + b_ih + W_hh h_{t−1} + b_hh). */
export interface RnnLayerConfig extends RecurrentCommon {
  readonly cell: 'rnn';
  /** f, default 'tanh' */
  readonly nonlinearity?: Activation;
}

/** The GRU. `resetAfter: true` is PyTorch's form (reset gate after the recurrent product); the
 *  default `false` is the notes' and d2l's. A PyTorch `nn.GRU` needs `resetAfter: true`. */
export interface GruLayerConfig extends RecurrentCommon {
  readonly cell: 'gru';
  readonly resetAfter?: boolean;
}

/** The LSTM, gates i,f,g,o. */
export interface LstmLayerConfig extends RecurrentCommon {
  readonly cell: 'lstm';
  /** Added to the forget gate's b_ih at initialisation, default 0. */
  readonly forgetBias?: number;
}

/** The notes' residual recurrences: `'x'` h_t = h_{t−1} + g(x_t), `'xh'` h_t = h_{t−1} + g(x_t, h_{t−1}). */
export interface ResidualLayerConfig extends RecurrentCommon {
  readonly cell: 'residual';
  readonly residual?: 'x' | 'xh';
  /** g's nonlinearity, default 'tanh' */
  readonly nonlinearity?: Activation;
}

/** A recurrent stack of any cell. */
export type RecurrentLayerConfig = RnnLayerConfig | GruLayerConfig | LstmLayerConfig | ResidualLayerConfig;

/** nn.Embedding: token ids (T,B) → vectors (T,B,embeddingDim). */
export interface EmbeddingLayerConfig extends Named {
  readonly type: 'embedding';
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
}

/** The nonlinearity after a linear layer: tanh, relu, σ, or none. */
export type LinearActivation = 'identity' | 'tanh' | 'relu' | 'sigmoid';

/** nn.Linear (+ an optional activation) applied to every row: (B,I) → (B,O), or every step of a
 *  sequence (T,B,I) → (T,B,O) (a per-step head). */
export interface LinearLayerConfig extends Named {
  readonly type: 'linear';
  readonly inputSize?: number;
  readonly outputSize: number;
  /** default true */
  readonly bias?: boolean;
  /** default 'identity' */
  readonly activation?: LinearActivation;
}

/** Inverted dropout while training: each value kept with probability 1 − p and scaled by 1/(1 − p). */
export interface DropoutLayerConfig extends Named {
  readonly type: 'dropout';
  readonly p: number;
}

/** A sequence (T,B,F) → rows (B,F), over each row's valid steps only: its last valid step, or the
 *  mean or the maximum over steps 0..length−1. */
export interface ReduceLayerConfig extends Named {
  readonly type: 'reduce';
  readonly mode: 'last' | 'mean' | 'max';
}

/** Layers applied in order. */
export interface SequentialLayerConfig extends Named {
  readonly type: 'sequential';
  readonly inputSize?: number;
  readonly layers: readonly LayerConfig[];
}

/** The config of a layer defined outside recur (see `registerLayer`): its `type`, and whatever
 *  JSON-serialisable fields the layer needs to rebuild itself. */
export interface CustomLayerConfig extends Named {
  readonly type: `custom:${string}`;
}

/** Every layer config. */
export type LayerConfig =
  | RecurrentLayerConfig | EmbeddingLayerConfig | LinearLayerConfig | DropoutLayerConfig | ReduceLayerConfig
  | SequentialLayerConfig | CustomLayerConfig;
