/**
 * @module onnx/import/math-ops
 * The head's operators with ONNX's semantics: Gemm and MatMul (nn.Linear on rows and on every
 * step), broadcasting Add/Sub/Mul/Div, the activations Relu/Tanh/Sigmoid, Exp and Log, Softmax/LogSoftmax
 * over one axis (opset ≥ 13), and ReduceMean/Max/Sum (a mean or max over time).
 */
import { formatShape, RecurError } from '../../errors.js';
import { DataType } from '../proto.js';
import { elementCount } from '../tensors.js';
import { need, type OpFn } from './shape-ops.js';
import { broadcastIndex, broadcastShapes, checkElements, floatAttr, intAttr, intsAttr, isIntType, makeValue, normAxis, stridesOf } from './values.js';

/** Y = α·A'·B' + β·C, A' = A or Aᵀ (M,K), B' = B or Bᵀ (K,N), C broadcast to (M,N). */
const gemm: OpFn = (node, inputs, what) => {
  const a = need(inputs, 0, what);
  const b = need(inputs, 1, what);
  const c = inputs[2];
  const tA = intAttr(node, 'transA', 0) === 1;
  const tB = intAttr(node, 'transB', 0) === 1;
  const alpha = floatAttr(node, 'alpha', 1);
  const beta = floatAttr(node, 'beta', 1);
  if (a.shape.length !== 2 || b.shape.length !== 2) throw new RecurError(`${what}: expected two matrices, got ${formatShape(a.shape)} and ${formatShape(b.shape)}`);
  const [M, K] = tA ? [a.shape[1]!, a.shape[0]!] : [a.shape[0]!, a.shape[1]!];
  const [K2, N] = tB ? [b.shape[1]!, b.shape[0]!] : [b.shape[0]!, b.shape[1]!];
  if (K !== K2) throw new RecurError(`${what}: inner sizes differ: ${formatShape(a.shape)} and ${formatShape(b.shape)}`);
  checkElements([M, N], what);
  const out = new Float64Array(M * N);
  const cIdx = c ? broadcastIndex(c.shape, broadcastShapes(c.shape, [M, N], what)) : undefined;
  if (c && broadcastShapes(c.shape, [M, N], what).some((d, i) => d !== [M, N][i])) throw new RecurError(`${what}: C ${formatShape(c.shape)} does not broadcast to (${M}, ${N})`);
  for (let m = 0; m < M; m++) {
    for (let n = 0; n < N; n++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += a.data[tA ? k * M + m : m * K + k]! * b.data[tB ? n * K + k : k * N + n]!;
      out[m * N + n] = alpha * s + (c ? beta * c.data[cIdx![m * N + n]!]! : 0);
    }
  }
  return [makeValue(a.type, [M, N], out)];
};

/** numpy's matmul: (…,M,K) @ (…,K,N), batch dimensions broadcast; a vector operand is promoted. */
const matmul: OpFn = (_node, inputs, what) => {
  const a0 = need(inputs, 0, what);
  const b0 = need(inputs, 1, what);
  const a = a0.shape.length === 1 ? { ...a0, shape: [1, a0.shape[0]!] } : a0;
  const b = b0.shape.length === 1 ? { ...b0, shape: [b0.shape[0]!, 1] } : b0;
  const M = a.shape[a.shape.length - 2]!;
  const K = a.shape[a.shape.length - 1]!;
  const N = b.shape[b.shape.length - 1]!;
  if (b.shape[b.shape.length - 2] !== K) throw new RecurError(`${what}: inner sizes differ: ${formatShape(a0.shape)} @ ${formatShape(b0.shape)}`);
  const batch = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2), what);
  const nb = elementCount(batch);
  const ai = broadcastIndex(a.shape.slice(0, -2), batch);
  const bi = broadcastIndex(b.shape.slice(0, -2), batch);
  checkElements([nb, M, N], what);
  const out = new Float64Array(nb * M * N);
  for (let p = 0; p < nb; p++) {
    const ao = ai[p]! * M * K;
    const bo = bi[p]! * K * N;
    for (let m = 0; m < M; m++) {
      for (let n = 0; n < N; n++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += a.data[ao + m * K + k]! * b.data[bo + k * N + n]!;
        out[(p * M + m) * N + n] = s;
      }
    }
  }
  const shape = [...batch, ...(a0.shape.length === 1 ? [] : [M]), ...(b0.shape.length === 1 ? [] : [N])];
  return [makeValue(a.type, shape, out)];
};

/**
 * An elementwise operator with numpy broadcasting; `intRound` rounds its integer results (Div);
 * the result has the type `resultType` (a comparison's BOOL), else the first input's.
 */
export function binary(f: (x: number, y: number) => number, intRound?: (v: number) => number, resultType?: number): OpFn {
  return (_node, inputs, what) => {
    const a = need(inputs, 0, what);
    const b = need(inputs, 1, what);
    const shape = broadcastShapes(a.shape, b.shape, what);
    checkElements(shape, what);
    const ai = broadcastIndex(a.shape, shape);
    const bi = broadcastIndex(b.shape, shape);
    const out = new Float64Array(ai.length);
    for (let k = 0; k < out.length; k++) out[k] = f(a.data[ai[k]!]!, b.data[bi[k]!]!);
    if (intRound && isIntType(a.type)) for (let k = 0; k < out.length; k++) out[k] = intRound(out[k]!);
    return [makeValue(resultType ?? a.type, shape, out)];
  };
}

/** An elementwise function of one input. */
function unary(f: (x: number) => number): OpFn {
  return (_node, inputs, what) => {
    const x = need(inputs, 0, what);
    return [makeValue(x.type, x.shape, Float64Array.from(x.data, f))];
  };
}

/** softmax(x)_i = exp(x_i − max) / Σ_j exp(x_j − max) along `axis` (default −1); log: x_i − max − log Σ. */
function softmax(log: boolean): OpFn {
  return (node, inputs, what) => {
    const x = need(inputs, 0, what);
    const axis = normAxis(intAttr(node, 'axis', -1), x.shape.length, what);
    const n = x.shape[axis]!;
    const inner = elementCount(x.shape.slice(axis + 1));
    const outer = elementCount(x.shape.slice(0, axis));
    const out = new Float64Array(x.data.length);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const at = (k: number) => (o * n + k) * inner + i;
        let max = -Infinity;
        for (let k = 0; k < n; k++) max = Math.max(max, x.data[at(k)]!);
        let sum = 0;
        for (let k = 0; k < n; k++) sum += Math.exp(x.data[at(k)]! - max);
        for (let k = 0; k < n; k++) out[at(k)] = log ? x.data[at(k)]! - max - Math.log(sum) : Math.exp(x.data[at(k)]! - max) / sum;
      }
    }
    return [makeValue(x.type === DataType.DOUBLE ? x.type : DataType.FLOAT, x.shape, out)];
  };
}

/** ReduceMean/Max/Sum over `axes` (an input from opset 13 for Sum, 18 for the others; an attribute
 *  before), all axes when none are given; `keepdims` (default 1) keeps them as size 1. */
function reduceOp(kind: 'mean' | 'max' | 'sum'): OpFn {
  return (node, inputs, what) => {
    const x = need(inputs, 0, what);
    const r = x.shape.length;
    const given = inputs[1] ? Array.from(inputs[1].data) : intsAttr(node, 'axes');
    if ((!given || given.length === 0) && intAttr(node, 'noop_with_empty_axes', 0) === 1) return [x];
    const axes = new Set((given && given.length > 0 ? given : x.shape.map((_, i) => i)).map((a) => normAxis(a, r, what)));
    const keep = intAttr(node, 'keepdims', 1) === 1;
    const kept = x.shape.map((d, i) => (axes.has(i) ? 1 : d));
    const n = elementCount(kept);
    const out = new Float64Array(n).fill(kind === 'max' ? -Infinity : 0);
    const idx = reduceIndex(x.shape, kept);
    for (let k = 0; k < x.data.length; k++) {
      const v = x.data[k]!;
      const j = idx[k]!;
      out[j] = kind === 'max' ? Math.max(out[j]!, v) : out[j]! + v;
    }
    if (kind === 'mean') {
      const count = x.data.length / Math.max(n, 1);
      for (let j = 0; j < n; j++) out[j]! /= count;
    }
    return [makeValue(x.type, keep ? kept : x.shape.filter((_, i) => !axes.has(i)), out)];
  };
}

/** For each element of `shape`, its index in `kept` (the same shape with reduced axes of size 1). */
function reduceIndex(shape: readonly number[], kept: readonly number[]): Int32Array {
  const n = elementCount(shape);
  const out = new Int32Array(n);
  const ks = stridesOf(kept);
  const ss = stridesOf(shape);
  for (let k = 0; k < n; k++) {
    let j = 0;
    for (let d = 0; d < shape.length; d++) if (kept[d] !== 1) j += Math.floor(k / ss[d]!) % shape[d]! * ks[d]!;
    out[k] = j;
  }
  return out;
}

/** The head's operators by op type. */
export const MATH_OPS: Record<string, OpFn> = {
  Gemm: gemm, MatMul: matmul,
  Add: binary((x, y) => x + y), Sub: binary((x, y) => x - y), Mul: binary((x, y) => x * y), Div: binary((x, y) => x / y, Math.trunc),
  Relu: unary((x) => (x > 0 ? x : 0)), Tanh: unary(Math.tanh), Sigmoid: unary((x) => 1 / (1 + Math.exp(-x))),
  Exp: unary(Math.exp), Log: unary(Math.log),
  Softmax: softmax(false), LogSoftmax: softmax(true),
  ReduceMean: reduceOp('mean'), ReduceMax: reduceOp('max'), ReduceSum: reduceOp('sum'),
};
