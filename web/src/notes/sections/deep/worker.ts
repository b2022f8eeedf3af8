// The deep-and-bidirectional section's worker: one thread of the wasm-simd kernels (as the commands'
// --backend wasm-simd --threads 1), and the corpus the language models read.
import timemachine from '../../../../../data/timemachine.txt?raw';
import { loadKernels } from '../../../../../src/index.js';
import { serveFigures, type Compute } from '../../worker-host';
import { computeLm, computeTagger, type LmParams, type TaggerParams } from './compute';

const kernels = loadKernels({ prefer: 'wasm-simd', threads: 1 });
serveFigures({
  'deep-tagger': (async (p: TaggerParams) => computeTagger(p, await kernels)) as Compute,
  'deep-lm': (async (p: LmParams) => computeLm(p, timemachine, await kernels)) as Compute,
});
