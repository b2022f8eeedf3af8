/**
 * @module cli/backend
 * `--backend` and `--threads`: which kernels run, chosen once per command and reported.
 * --threads defaults to the cores available; the wasm backends cap it there and the js backend runs
 * on one (kernels.threads says what runs). Worker threads are unref'd: a command exits without
 * disposing them.
 */
import type { Kernels } from '../kernels/types.js';
import { loadKernels } from '../kernels/index.js';
import { choiceOption, intOption } from './numbers.js';

export const BACKENDS = ['auto', 'wasm-relaxed-simd', 'wasm-simd', 'js'] as const;
export type Backend = (typeof BACKENDS)[number];

export const BACKEND_OPTIONS = { backend: { type: 'string' }, threads: { type: 'string' } } as const;

export async function backendFromOptions(o: { backend?: string | undefined; threads?: string | undefined }): Promise<Kernels> {
  const threads = o.threads === undefined ? undefined : intOption(o.threads, '--threads', 1);
  return loadKernels({ prefer: choiceOption(o.backend, '--backend', BACKENDS, 'auto'), threads });
}
