/**
 * @module cli/run
 * `recur run`: run a recurrent stack saved as safetensors (from recur or from PyTorch's state_dict)
 * on the tensors of an input file, and write outputs (and gradients) to another.
 */
import { RecurError } from '../errors.js';
import { serializeSafetensors, type TensorToWrite } from '../format/safetensors.js';
import type { FloatArray } from '../tensor/types.js';
import { firstNonFinite } from '../train/clip.js';
import { jsKernels } from '../kernels/js/index.js';
import type { Kernels } from '../kernels/types.js';
import { backendFromOptions, BACKENDS } from './backend.js';
import { runStack } from '../models/stack-file.js';
import { parseOptions, required, UsageError } from './args.js';
import { checkOutputFile, readSafetensors, writeAtomic } from './files.js';

export const RUN_USAGE = `usage: recur run --model stack.safetensors --input in.safetensors --out out.safetensors
                 [--grad g.safetensors] [--dtype float64|float32]
                 [--backend js|auto|native|wasm-relaxed-simd|wasm-simd] [--threads N]

  --model   the stack: state_dict tensors (weight_ih_l0, ...) and __metadata__["recur.config"]
  --input   x (T,B,I); optional h0, c0 (L*D,B,H) and lengths (B) int32 or int64
  --grad    dy (T,B,D*H); optional dh_n, dc_n. Adds dx, dh0, dc0 and grad.<name> to the output:
            the gradients of sum(y*dy) + sum(h_n*dh_n) + sum(c_n*dc_n)
  --out     y (T,B,D*H) (zeros at padded steps), h_n, c_n (LSTM)
  --dtype   the precision of the computation (default float64); outputs are float32 unless x is float64
  --backend the kernels (default js, the reference; the others compute in float32)`;

export async function runCommand(args: string[]): Promise<number> {
  const o = parseOptions(args, {
    model: { type: 'string' }, input: { type: 'string' }, out: { type: 'string' },
    grad: { type: 'string' }, dtype: { type: 'string' }, backend: { type: 'string' }, threads: { type: 'string' },
  });
  const model = required(o.model, '--model');
  const input = required(o.input, '--input');
  const out = required(o.out, '--out');
  const backend = o.backend ?? 'js';
  if (!(BACKENDS as readonly string[]).includes(backend)) throw new UsageError(`--backend: expected one of ${BACKENDS.join(', ')}, got "${backend}"`);
  const dtype = o.dtype ?? (backend === 'js' ? 'float64' : 'float32');
  if (dtype !== 'float32' && dtype !== 'float64') throw new UsageError(`--dtype: expected float32 or float64, got "${dtype}"`);
  if (backend !== 'js' && dtype !== 'float32') throw new UsageError(`--dtype: the ${backend} backend computes in float32, got "${dtype}"`);
  checkOutputFile(out, '--out');
  const files = {
    model: readSafetensors(model, '--model'),
    input: readSafetensors(input, '--input'),
    grad: o.grad === undefined ? undefined : readSafetensors(o.grad, '--grad'),
    names: { model, input, ...(o.grad === undefined ? {} : { grad: o.grad }) },
  };
  const kernels: Kernels = backend === 'js' ? jsKernels(dtype) : await backendFromOptions(o);
  try {
    const tensors = runStack(files, kernels);
    for (const t of tensors) checkWritable(t, out);
    writeAtomic(out, serializeSafetensors(tensors), '--out');
  } finally {
    kernels.dispose?.();
  }
  return 0;
}

/**
 * A model or input that overflows gives Inf or NaN: an error, not a file of them. The values are
 * checked as they are written: a float64 result above 3.4e38 is finite, but Infinity in an F32 file.
 */
function checkWritable(t: TensorToWrite, out: string): void {
  const data = t.data as FloatArray;
  const i = firstNonFinite(data);
  if (i !== -1) throw new RecurError(`--out ${out}: tensor "${t.name}" is not finite at index ${i} (${data[i]}): the model or its inputs overflow; nothing written`);
  if (t.dtype !== 'F32' || data instanceof Float32Array) return;
  const j = firstNonFinite(Float32Array.from(data));
  if (j !== -1) {
    throw new RecurError(`--out ${out}: tensor "${t.name}" is ${data[j]!.toPrecision(3)} at index ${j}, beyond float32's range `
      + '(outputs are float32 unless x is float64): the model or its inputs overflow; nothing written');
  }
}
