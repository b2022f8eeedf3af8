// A GRU classifier over variable-length sequences: noisy waves of three frequencies (15–50 steps)
// → a 2-layer GRU → its final state → a linear layer → 3 classes. Held-out accuracy at the end.
//   npx tsx examples/gru-classifier.ts            (or, from a clone: npm run build && node dist/examples/gru-classifier.js)
// The same model, data and budget in PyTorch: tools/examples/gru_classifier_torch.py.
import { readFileSync } from 'node:fs';
import { evaluate, fit, linear, loadKernels, recurrent, SequenceData, sequential } from 'recur';

const epochs = Number(process.argv[2] ?? 12);
const waves = JSON.parse(readFileSync(new URL(import.meta.resolve('recur/data/waves.json')), 'utf8')) as
  { train: { x: number[][]; y: number[] }; test: { x: number[][]; y: number[] } };

const kernels = await loadKernels();
const model = sequential([
  recurrent({ cell: 'gru', hiddenSize: 32, numLayers: 2, resetAfter: true, output: 'final' }),
  linear({ outputSize: 3 }),
], { inputSize: 1, kernels, seed: 1 });
const train = new SequenceData(waves.train.x, waves.train.y, { batchSize: 32, seed: 1 });
const test = new SequenceData(waves.test.x, waves.test.y, { batchSize: 100, shuffle: false });
await fit(model, train, { loss: 'crossEntropy', optimizer: 'adam', lr: 0.01, clip: 1, epochs });
const { accuracy } = evaluate(model, test, { metrics: ['accuracy'] });

console.log(`held-out accuracy ${(100 * accuracy!).toFixed(1)}% after ${epochs} epochs`);
kernels.dispose?.();
