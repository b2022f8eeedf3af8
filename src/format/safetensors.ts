/**
 * @module format/safetensors
 * Read and write the Hugging Face safetensors format, bytes in and bytes out (the CLI does file I/O).
 *
 * Layout: an unsigned 64-bit little-endian header length N, N bytes of UTF-8 JSON (padded with
 * spaces), then the data buffer. The JSON maps each tensor name to
 * `{"dtype", "shape", "data_offsets": [begin, end]}` (relative to the data buffer, end exclusive),
 * plus an optional `"__metadata__"` object of strings. Data is row-major little-endian.
 *
 * The parser validates the whole header before any tensor data is touched and trusts no length.
 * Like the reference implementation it requires the tensors to tile the data buffer exactly:
 * sorted by offset, each begins where the previous one ends, and the last ends at the end of the
 * file. So there are no overlaps and no holes, and every byte of the file has one meaning.
 * Every failure is a one-line {@link RecurError} naming the file, the tensor, what was expected and
 * what came.
 */

export { DTYPE_SIZE, MAX_HEADER_BYTES } from './safetensors-common.js';
export type { SafeDType, SafeTensor, SafetensorsFile, TensorData, TensorToWrite } from './safetensors-common.js';
export { parseSafetensors } from './safetensors-read.js';
export { tensorToFloat32, tensorToFloat64, tensorToInt32 } from './safetensors-convert.js';
export { serializeSafetensors } from './safetensors-write.js';
export { bf16BitsToNumber, f16BitsToNumber, numberToBF16Bits, numberToF16Bits } from './half-float.js';
