/**
 * @module test/onnx-run
 * For the ONNX tests only: random models and inputs, recur's own forward as the reference, and
 * ONNX Runtime (onnxruntime-web, in Node) as the independent check.
 */
import * as ort from 'onnxruntime-web';
import type { LayerConfig } from '../src/nn/config.js';
import { Recurrent } from '../src/nn/recurrent.js';
import { Sequential } from '../src/nn/composite.js';
import type { Model } from '../src/nn/model.js';
import { isTokens, type Layer, type LayerInput, type Tensor } from '../src/nn/types.js';
import type { Rng } from '../src/tensor/rng.js';

/** Float inputs as float32, token ids as int64, lengths as int32: what the exported graph takes. */
export type Feeds = Record<string, ort.Tensor>;

ort.env.wasm.numThreads = 1;

/** Run `bytes` in ONNX Runtime; every output as float64 values. Graph optimizations are off by
 *  default (each operator as written, and half the cost of a session); `optimized` turns them all on,
 *  as a user's session has them. */
export async function runOnnx(bytes: Uint8Array, feeds: Feeds, optimized = false): Promise<Record<string, Float64Array>> {
  const session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: optimized ? 'all' : 'disabled' });
  try {
    const out = await session.run(feeds);
    return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, Float64Array.from(t.data as Float32Array)]));
  } finally {
    await session.release();
  }
}

/** ort tensors of each kind. */
export const floatInput = (data: ArrayLike<number>, dims: number[]) => new ort.Tensor('float32', Float32Array.from(data), dims);
export const int64Input = (data: ArrayLike<number>, dims: number[]) => new ort.Tensor('int64', BigInt64Array.from(Array.from(data, (v) => BigInt(v))), dims);
export const int32Input = (data: ArrayLike<number>, dims: number[]) => new ort.Tensor('int32', Int32Array.from(data), dims);

/** max |a − b|, Infinity for a length mismatch or a NaN. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (!(d <= m)) m = Number.isNaN(d) ? Infinity : d;
  }
  return m;
}

/** Initial states of one recurrent layer: h0 (and c0) of shape (L·D, B, H), by graph input name. */
export interface LayerStates { h0: Float32Array; c0: Float32Array | undefined }

/** The recurrent layers of a config tree, with their parameter prefixes, in forward order. */
export function recurrentLayers(c: LayerConfig, prefix = ''): { prefix: string; config: Extract<LayerConfig, { type: 'recurrent' }> }[] {
  if (c.type === 'recurrent') return [{ prefix, config: c }];
  if (c.type === 'sequential') return c.layers.flatMap((l, i) => recurrentLayers(l, `${prefix}${l.name ?? String(i)}.`));
  return [];
}

/**
 * recur's forward of `model` (time-major) with initial states given per recurrent layer prefix:
 * each layer's own forward, except that a recurrent layer with states runs its stack with them
 * (only for 'sequence' outputs: Recurrent.forward takes no states). Returns the output and every
 * recurrent layer's h_n, c_n, copied.
 */
export function referenceForward(model: Model<never>, x: LayerInput, states: Map<string, LayerStates> | undefined)
  : { y: Float64Array; finals: Map<string, { hN: Float64Array; cN: Float64Array | undefined }> } {
  const finals = new Map<string, { hN: Float64Array; cN: Float64Array | undefined }>();
  const visit = (layer: Layer, prefix: string, v: LayerInput): LayerInput => {
    if (layer instanceof Sequential) {
      return layer.layers.reduce((acc, l, i) => visit(l, `${prefix}${l.config.name ?? String(i)}.`, acc), v);
    }
    if (layer instanceof Recurrent) {
      const s = states?.get(prefix);
      let out: Tensor;
      if (s) {
        if (layer.config.output !== 'sequence') throw new Error('referenceForward: initial states need a sequence output');
        const [T, B] = v.shape as [number, number];
        const opt = { h0: s.h0, c0: s.c0, lengths: v.lengths };
        const r = isTokens(v) ? layer.recurrentStack.forwardTokens(v.tokens, T, B, opt) : layer.recurrentStack.forward(v.data, T, B, opt);
        out = { data: r.y, shape: [T, B, layer.outputSize], lengths: v.lengths };
      } else out = layer.forward(v, { training: false });
      const last = layer.recurrentStack.lastOutput();
      finals.set(prefix, { hN: Float64Array.from(last.hN), cN: last.cN && Float64Array.from(last.cN) });
      return out;
    }
    return layer.forward(v as never, { training: false });
  };
  model.eval();
  const y = visit(model.root as Layer, '', x) as Tensor;
  return { y: Float64Array.from(y.data), finals };
}

/** Uniform values in [−1, 1). */
export const randomValues = (rng: Rng, n: number): Float32Array => Float32Array.from({ length: n }, () => rng.uniformIn(-1, 1));
