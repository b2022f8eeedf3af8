/**
 * @module onnx/proto
 * ONNX's protobuf messages as plain objects, encoded and decoded by protobufjs with ONNX's own
 * schema (src/onnx/schema.ts, generated from onnx.proto). Field names are the schema's (snake_case).
 * Only the fields recur reads or writes are typed; decoding keeps the others on the object.
 */
import protobuf from 'protobufjs/light.js';
import { RecurError } from '../errors.js';
import { ONNX_SCHEMA } from './schema.js';

/** TensorProto.DataType values recur reads or writes. */
export const DataType = { FLOAT: 1, INT32: 6, INT64: 7, DOUBLE: 11 } as const;
/** AttributeProto.AttributeType values. */
export const AttributeType = {
  FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7, STRINGS: 8,
} as const;

/** onnx.TensorProto: a constant (an initializer, or a Constant node's value). */
export interface TensorProto {
  name?: string;
  dims?: number[];
  data_type?: number;
  float_data?: number[];
  int32_data?: number[];
  int64_data?: number[];
  double_data?: number[];
  raw_data?: Uint8Array;
}

/** onnx.AttributeProto: one named attribute of a node. */
export interface AttributeProto {
  name: string;
  type?: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  t?: TensorProto;
  g?: GraphProto;
  floats?: number[];
  ints?: number[];
  strings?: Uint8Array[];
}

/** onnx.NodeProto: one operator application. */
export interface NodeProto {
  name?: string;
  op_type: string;
  domain?: string;
  input?: string[];
  output?: string[];
  attribute?: AttributeProto[];
}

/** One dimension of a shape: a number or a symbolic name ("batch", "time"). */
export interface Dimension { dim_value?: number; dim_param?: string }

/** onnx.TypeProto restricted to tensors. */
export interface TypeProto {
  tensor_type?: { elem_type?: number; shape?: { dim?: Dimension[] } };
}

/** onnx.ValueInfoProto: a graph input or output with its type. */
export interface ValueInfoProto { name: string; type?: TypeProto; doc_string?: string }

/** onnx.GraphProto. */
export interface GraphProto {
  name?: string;
  node?: NodeProto[];
  initializer?: TensorProto[];
  input?: ValueInfoProto[];
  output?: ValueInfoProto[];
  value_info?: ValueInfoProto[];
  doc_string?: string;
}

/** onnx.OperatorSetIdProto: the default domain is "". */
export interface OperatorSetIdProto { domain?: string; version: number }

/** onnx.ModelProto. */
export interface ModelProto {
  ir_version?: number;
  opset_import?: OperatorSetIdProto[];
  producer_name?: string;
  producer_version?: string;
  doc_string?: string;
  graph?: GraphProto;
  metadata_props?: { key: string; value: string }[];
}

const root = protobuf.Root.fromJSON(ONNX_SCHEMA);
const Model = root.lookupType('onnx.ModelProto');

/** Serialize a model to the bytes of a .onnx file. */
export function encodeModel(model: ModelProto): Uint8Array {
  const problem = Model.verify(model);
  if (problem) throw new RecurError(`ONNX model: ${problem}`);
  return Model.encode(Model.fromObject(model)).finish();
}

/**
 * Parse the bytes of a .onnx file. int64 fields become numbers (exact up to 2^53, which covers
 * every dimension and attribute recur meets); `what` names the file in the error of a bad file.
 */
export function decodeModel(bytes: Uint8Array, what = 'ONNX model'): ModelProto {
  return decode(Model, bytes, what) as ModelProto;
}

const Tensor = root.lookupType('onnx.TensorProto');

/** Parse one serialized TensorProto (the `input_0.pb` files of ONNX's operator test cases). */
export function decodeTensor(bytes: Uint8Array, what = 'ONNX tensor'): TensorProto {
  return decode(Tensor, bytes, what) as TensorProto;
}

/** One message of `type` as a plain object, or one line naming `what` and the message expected. */
function decode(type: protobuf.Type, bytes: Uint8Array, what: string): object {
  let message: protobuf.Message;
  try {
    message = type.decode(bytes);
  } catch (e) {
    throw new RecurError(`${what}: expected an ONNX ${type.name}, got bytes protobuf cannot read (${(e as Error).message})`);
  }
  return type.toObject(message, { longs: Number, enums: Number, bytes: Uint8Array, defaults: false, arrays: false });
}
