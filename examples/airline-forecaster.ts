// An airline-passengers forecaster. The series is logged and standardised, then seasonally
// differenced (d_t = z_t − z_{t−12}, which removes most of the trend and the season); a GRU reads
// the last 12 differences and predicts the next. The last 24 months are held out and forecast one
// step ahead, against the seasonal naive forecast (the value 12 months before), the baseline to beat.
//   npm run build && node dist/examples/airline-forecaster.js [epochs]
import { readFileSync } from 'node:fs';
import { fit, linear, loadKernels, predict, recurrent, SequenceData, sequential } from 'recur';

const epochs = Number(process.argv[2] ?? 60);
const csv = readFileSync(new URL(import.meta.resolve('recur/data/airline-passengers.csv')), 'utf8');
const passengers = csv.trim().split('\n').slice(1).map((line) => Number(line.split(',')[1]));

// z = (log y − mean) / std, from the training months only
const W = 12, test = 24, trainEnd = passengers.length - test;
const logs = passengers.map(Math.log);
const mean = logs.slice(0, trainEnd).reduce((a, b) => a + b) / trainEnd;
const std = Math.sqrt(logs.slice(0, trainEnd).reduce((a, b) => a + (b - mean) ** 2, 0) / trainEnd);
const z = logs.map((v) => (v - mean) / std);
const d = z.map((v, t) => (t >= 12 ? v - z[t - 12]! : 0));     // seasonal differences
const windows = (from: number, to: number) => {   // inputs d[t−W..t−1] → target d[t], t in [from, to)
  const x: number[][] = [], y: number[][] = [];
  for (let t = from; t < to; t++) { x.push(d.slice(t - W, t)); y.push([d[t]!]); }
  return { x, y };
};
const trainSet = windows(12 + W, trainEnd), testSet = windows(trainEnd, passengers.length);

const kernels = await loadKernels();
const model = sequential([
  recurrent({ cell: 'gru', hiddenSize: 24, output: 'final' }),
  linear({ outputSize: 1 }),
], { inputSize: 1, kernels, seed: 2 });
const train = new SequenceData(trainSet.x, trainSet.y, { labels: 'values', batchSize: 16, seed: 2 });
await fit(model, train, { loss: 'mse', lr: 0.01, clip: 1, epochs, schedule: 'cosine', minLr: 0.001 });

const batch = new SequenceData(testSet.x, testSet.y, { labels: 'values', shuffle: false, batchSize: test }).batches()[0]!;
const forecast = Array.from(predict(model, batch.x).data, (dt, i) => Math.exp((z[trainEnd + i - 12]! + dt) * std + mean));
const actual = passengers.slice(trainEnd);
const rmse = (f: number[]) => Math.sqrt(f.reduce((s, v, i) => s + (v - actual[i]!) ** 2, 0) / test);
console.log(`one-step RMSE over the last ${test} months: GRU ${rmse(forecast).toFixed(1)}, ` +
            `seasonal naive ${rmse(passengers.slice(trainEnd - 12, passengers.length - 12)).toFixed(1)} passengers`);
kernels.dispose?.();
