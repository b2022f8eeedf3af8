// Sequence tagging with a bidirectional LSTM, one label per step (the notes' bidirectional RNN: the
// label of a step depends on what comes after it). Tokens are digits 0–9; a step is tagged 1 when
// its digit is larger than the next one (the last step: 0). A left-to-right LSTM cannot see the
// next digit; the bidirectional one can.
//   npm run build && node dist/examples/bilstm-tagger.js [epochs]
import { embedding, evaluate, fit, linear, loadKernels, predict, recurrent, Rng, SequenceData, sequential, type Model } from 'recur';

const epochs = Number(process.argv[2] ?? 8);

/** n sequences of 5–30 digits and their tags. */
function digits(n: number, rng: Rng): { x: number[][]; y: number[][] } {
  const x: number[][] = [], y: number[][] = [];
  for (let i = 0; i < n; i++) {
    const s = Array.from({ length: 5 + rng.int(26) }, () => rng.int(10));
    x.push(s);
    y.push(s.map((d, t) => (t + 1 < s.length && d > s[t + 1]! ? 1 : 0)));
  }
  return { x, y };
}
const rng = new Rng(3);
const trainSet = digits(1000, rng), testSet = digits(300, rng);

const kernels = await loadKernels();
const tagger = (bidirectional: boolean): Model => sequential([
  embedding({ numEmbeddings: 10, embeddingDim: 8 }),
  recurrent({ cell: 'lstm', hiddenSize: 32, bidirectional }),
  linear({ outputSize: 2 }),                                   // per step: (T, B, 2)
], { kernels, seed: 1 });
const train = new SequenceData(trainSet.x, trainSet.y, { tokens: true, batchSize: 32, bucket: true, seed: 1 });
const test = new SequenceData(testSet.x, testSet.y, { tokens: true, batchSize: 100, shuffle: false });

for (const bidirectional of [false, true]) {
  const model = tagger(bidirectional);
  await fit(model, train, { loss: 'crossEntropy', lr: 0.01, clip: 1, epochs });
  const { accuracy } = evaluate(model, test, { metrics: ['accuracy'] });
  console.log(`${bidirectional ? 'bidirectional' : 'left-to-right'} LSTM: per-step accuracy ${(100 * accuracy!).toFixed(1)}%`);
  if (bidirectional) {
    const out = predict(model, { tokens: Int32Array.from([3, 1, 4, 1, 5, 9, 2, 6]), shape: [8, 1] });
    const tags = Array.from({ length: 8 }, (_, t) => (out.data[2 * t + 1]! > out.data[2 * t]! ? 1 : 0));
    console.log(`tags of 3 1 4 1 5 9 2 6: ${tags.join(' ')} (expected 1 0 1 0 0 1 0 0)`);
  }
}
kernels.dispose?.();
