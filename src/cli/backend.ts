/**
 * @module cli/backend
 * `--backend` and `--threads`: which kernels run, chosen once per command and reported.
 */
import type { Kernels } from '../kernels/types.js';
import { loadKernels } from '../kernels/index.js';
import { choiceOption } from './numbers.js';

export const BACKENDS = ['auto', 'wasm-relaxed-simd', 'wasm-simd', 'js'] as const;
export type Backend = (typeof BACKENDS)[number];

export const BACKEND_OPTIONS = { backend: { type: 'string' }, threads: { type: 'string' } } as const;

export async function backendFromOptions(o: { backend?: string | undefined }): Promise<Kernels> {
  return loadKernels({ prefer: choiceOption(o.backend, '--backend', BACKENDS, 'auto') });
}
