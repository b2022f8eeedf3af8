/**
 * @module cli/backend
 * `--backend` and `--threads`: which kernels run, chosen once per command and reported.
 * --threads defaults to the cores available; the native and wasm backends cap it there and the js
 * backend runs on one (kernels.threads says what runs). Worker threads are unref'd (wasm) or end with
 * the process (native): a command exits without disposing them.
 */
import type { Kernels } from '../kernels/types.js';
import { chooseKernels, type KernelSelection } from '../kernels/index.js';
import { choiceOption, intOption } from './numbers.js';

export const BACKENDS = ['auto', 'native', 'wasm-relaxed-simd', 'wasm-simd', 'js'] as const;
export type Backend = (typeof BACKENDS)[number];

export const BACKEND_OPTIONS = { backend: { type: 'string' }, threads: { type: 'string' } } as const;

/** The kernels the options name, and why they were picked (`recur info`). */
export async function selectionFromOptions(o: { backend?: string | undefined; threads?: string | undefined }): Promise<KernelSelection> {
  const threads = o.threads === undefined ? undefined : intOption(o.threads, '--threads', 1);
  return chooseKernels({ prefer: choiceOption(o.backend, '--backend', BACKENDS, 'auto'), threads });
}

export async function backendFromOptions(o: { backend?: string | undefined; threads?: string | undefined }): Promise<Kernels> {
  return (await selectionFromOptions(o)).kernels;
}
