/**
 * @module nn/types
 * What flows between layers, and what a layer is.
 *
 * A value is a sequence (T,B,F), time-major as PyTorch's default, with optional per-row `lengths`,
 * or one row per batch item (B,F); token ids are (T,B) integers. A layer has an explicit forward and
 * backward (no autograd graph): forward keeps what backward needs, backward takes ∂L/∂output and
 * returns ∂L/∂input, accumulating into the parameters' gradients. Parameters live in the model's
 * one flat `ParamSet`; a layer asks for named tensors (`paramSpecs`) and gets views (`bind`).
 */
import type { Kernels } from '../kernels/types.js';
import type { ParamSet, ParamSpec } from '../layers/params.js';
import type { Rng } from '../tensor/rng.js';
import type { FloatArray } from '../tensor/types.js';
import type { LayerConfig } from './config.js';

/** Floats between layers: shape (T,B,F) for a sequence, (B,F) for rows. */
export interface Tensor {
  readonly data: FloatArray;
  readonly shape: readonly number[];
  /** (B) valid steps of each row of a sequence, each in 1..T; absent: every row has T steps. */
  readonly lengths?: Int32Array | undefined;
  /** A sequence laid out (B,T,F), PyTorch's batch_first (a model's output for a batch-first input). */
  readonly batchFirst?: boolean | undefined;
}

/** Token ids (T,B), the input of an embedding or of a one-hot recurrent layer. */
export interface Tokens {
  readonly tokens: Int32Array;
  readonly shape: readonly [number, number];
  readonly lengths?: Int32Array | undefined;
}

/** What a layer reads: floats or token ids. */
export type LayerInput = Tensor | Tokens;

/** True when the value holds token ids. */
export const isTokens = (v: LayerInput): v is Tokens => (v as Tokens).tokens !== undefined;

/** Per-call settings every layer sees. */
export interface ForwardContext {
  /** Dropout is active only when training. */
  readonly training: boolean;
}

/**
 * A layer: config, parameters, forward and backward. `In` is what it reads: floats or token ids for
 * the built-in layers, anything for a layer of your own (two inputs, say). Write one to extend recur (see docs/models.md,
 * "A custom layer"); register its config type with `registerLayer` so that `loadModel` can rebuild it.
 *
 * The arrays forward and backward return are the layer's own buffers, reused (overwritten) by the
 * next call of the same shape: copy what you keep.
 */
export interface Layer<In = LayerInput> {
  /** JSON-serialisable description, enough to rebuild the layer (sizes resolved). */
  readonly config: LayerConfig;
  /** Feature size of the output (F of (T,B,F) or (B,F)). */
  readonly outputSize: number;
  /** The tensors this layer owns, named relative to the layer (PyTorch's names: `weight`, `bias`). */
  paramSpecs(): ParamSpec[];
  /** Take views of the tensors in the model's ParamSet, whose names carry `prefix`; `k` runs every
   *  computation, `rng` is the model's (dropout masks). */
  bind(params: ParamSet, prefix: string, k: Kernels, rng: Rng): void;
  /** Fill the bound parameters with their initial values (PyTorch's defaults). */
  init(rng: Rng): void;
  /** The output for x (a reused buffer); keeps what backward needs. */
  forward(x: In, ctx: ForwardContext): Tensor;
  /** ∂L/∂x from ∂L/∂y (shape of the last forward's output); undefined when `inputGrad` is false or
   *  the input was token ids. Parameter gradients accumulate (zero them first). */
  backward(dy: FloatArray, inputGrad: boolean): FloatArray | undefined;
}
