#!/usr/bin/env node
// The standard workload in TensorFlow.js (@tensorflow/tfjs, cpu backend, and
// @tensorflow/tfjs-backend-wasm), trained by tf.train.sgd(1) through optimizer.minimize, i.e.
// tf.variableGrads over an explicit forward. Two ways to write the model (--impl):
//
//   layers (default): what a tfjs user writes: tf.layers.lstm / gru / simpleRNN with
//     returnSequences over one-hot (B,T,V) inputs, then tf.layers.dense(V) at every step, applied
//     with model.apply; tfjs's GRU resets before the recurrent product (it rejects resetAfter).
//   ops: the cell written out in tf ops with one input product for all T·B steps (as PyTorch and
//     cuDNN do), PyTorch's gate order, and the GRU resetting after the recurrent product.
//
// Both: loss = tf.losses.softmaxCrossEntropy(onehot targets, logits), the mean over B·T positions.
//
//   node bench/peers/tfjs.mjs --backend cpu|wasm --cell lstm|gru|rnn --hidden H [--impl layers|ops]
//        [--batch 32] [--steps 35] [--vocab 64] [--seconds 3] [--warmup-steps 2] [--min-steps 3]
//
// Prints one JSON object with tokensPerSecond.
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';

const require = createRequire(import.meta.url);
const { values: a } = parseArgs({
  options: {
    backend: { type: 'string', default: 'cpu' }, cell: { type: 'string', default: 'lstm' },
    hidden: { type: 'string', default: '256' }, batch: { type: 'string', default: '32' },
    steps: { type: 'string', default: '35' }, vocab: { type: 'string', default: '64' },
    seconds: { type: 'string', default: '3' }, 'warmup-steps': { type: 'string', default: '2' },
    'min-steps': { type: 'string', default: '3' }, impl: { type: 'string', default: 'layers' }, seed: { type: 'string', default: '1' },
  },
  strict: true,
});
const H = +a.hidden, B = +a.batch, T = +a.steps, V = +a.vocab;
const seconds = +a.seconds, warmupSteps = Math.max(1, +a['warmup-steps']), minSteps = Math.max(1, +a['min-steps']);
const G = { lstm: 4, gru: 3, rnn: 1 }[a.cell];
if (G === undefined) throw new Error(`--cell: lstm, gru or rnn, got ${a.cell}`);
if (!['layers', 'ops'].includes(a.impl)) throw new Error(`--impl: layers or ops, got ${a.impl}`);
if (!['cpu', 'wasm'].includes(a.backend)) throw new Error(`--backend: cpu or wasm, got ${a.backend}`);

// Quiet tfjs's "install tfjs-node" banner and its initializer warnings: this benchmark is about the
// pure-JS and wasm backends, and its output is one JSON line.
const { log } = console;
console.log = console.warn = () => {};
const tf = require('@tensorflow/tfjs');
if (a.backend === 'wasm') {
  // the .wasm files ship in the package's dist/, next to its main file
  require('@tensorflow/tfjs-backend-wasm').setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))}/`);
}
const ok = await tf.setBackend(a.backend);
await tf.ready();
console.log = log;
if (!ok || tf.getBackend() !== a.backend) throw new Error(`tfjs backend ${a.backend} failed to initialise`);
let wasmFlavor;
if (a.backend === 'wasm') {
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const mt = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
  wasmFlavor = `${mt ? 'threaded-' : ''}${simd ? 'simd' : 'no-simd'}`;
}

// xorshift32 for tokens and initial weights: U(−1/√H, 1/√H) as PyTorch initialises its RNNs
let s = (+a.seed >>> 0) || 1;
const next = () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s; };
const uniform = (shape, k) => tf.variable(tf.tensor(Float32Array.from({ length: shape.reduce((p, q) => p * q) }, () => (next() / 2 ** 32 * 2 - 1) * k), shape));
const k = 1 / Math.sqrt(H);
let wIh, wHh, bIh, bHh, wQ, bQ, model;
if (a.impl === 'ops') {
  // weights stored transposed (in, out) so that every product is a plain matMul
  wIh = uniform([V, G * H], k); wHh = uniform([H, G * H], k);
  bIh = uniform([G * H], k); bHh = uniform([G * H], k);
  wQ = uniform([H, V], k); bQ = uniform([V], k);
} else {
  const Rnn = { lstm: tf.layers.lstm, gru: tf.layers.gru, rnn: tf.layers.simpleRNN }[a.cell];
  // PyTorch's initialisation, U(−1/√H, 1/√H) for everything: tfjs's default orthogonal recurrent
  // initializer takes minutes at H = 512 on the cpu backend (before any timing starts)
  const init = () => tf.initializers.randomUniform({ minval: -k, maxval: k, seed: +a.seed });
  const inits = { kernelInitializer: init(), biasInitializer: init() };
  model = tf.sequential({
    layers: [
      Rnn({ units: H, returnSequences: true, inputShape: [T, V], recurrentInitializer: init(), ...inits }),
      tf.layers.dense({ units: V, ...inits }), // logits at every step
    ],
  });
}
const optimizer = tf.train.sgd(1);

// a few random batches: inputs one-hot, targets the next tokens one-hot; time-major (T·B, V) for
// ops, batch-major (B,T,V) inputs and (B·T, V) targets for layers
const batches = Array.from({ length: 4 }, () => {
  const seq = Int32Array.from({ length: (T + 1) * B }, () => next() % V);
  return tf.tidy(() => {
    const oneHot = (ids) => tf.cast(tf.oneHot(ids, V), 'float32');
    if (a.impl === 'ops') {
      const ids = tf.tensor2d(seq, [T + 1, B], 'int32');
      return { x: oneHot(tf.reshape(tf.slice(ids, [0, 0], [T, B]), [T * B])), y: oneHot(tf.reshape(tf.slice(ids, [1, 0], [T, B]), [T * B])) };
    }
    const ids = tf.tensor2d(seq, [B, T + 1], 'int32');
    return { x: oneHot(tf.slice(ids, [0, 0], [B, T])), y: oneHot(tf.reshape(tf.slice(ids, [0, 1], [B, T]), [B * T])) };
  });
});

function layersLoss(x, y) {
  const logits = model.apply(x, { training: true }); // (B,T,V)
  return tf.losses.softmaxCrossEntropy(y, tf.reshape(logits, [B * T, V]));
}

function opsLoss(x, y) {
  const xw = tf.add(tf.matMul(x, wIh), bIh); // (T·B, G·H)
  let h = tf.zeros([B, H]);
  let c = a.cell === 'lstm' ? tf.zeros([B, H]) : undefined;
  const hs = [];
  for (let t = 0; t < T; t++) {
    const xt = tf.slice(xw, [t * B, 0], [B, G * H]);
    const hw = tf.add(tf.matMul(h, wHh), bHh);
    if (a.cell === 'lstm') {
      const [i, f, g, o] = tf.split(tf.add(xt, hw), 4, 1);
      c = tf.add(tf.mul(tf.sigmoid(f), c), tf.mul(tf.sigmoid(i), tf.tanh(g)));
      h = tf.mul(tf.sigmoid(o), tf.tanh(c));
    } else if (a.cell === 'gru') {
      const [xr, xz, xn] = tf.split(xt, 3, 1);
      const [hr, hz, hn] = tf.split(hw, 3, 1);
      const r = tf.sigmoid(tf.add(xr, hr)), z = tf.sigmoid(tf.add(xz, hz));
      const n = tf.tanh(tf.add(xn, tf.mul(r, hn)));
      h = tf.add(n, tf.mul(z, tf.sub(h, n))); // (1 − z)·n + z·h
    } else {
      h = tf.tanh(tf.add(xt, hw));
    }
    hs.push(h);
  }
  const logits = tf.add(tf.matMul(tf.concat(hs, 0), wQ), bQ); // (T·B, V)
  return tf.losses.softmaxCrossEntropy(y, logits);
}

let n = 0;
function step() {
  const { x, y } = batches[n++ % batches.length];
  const loss = optimizer.minimize(() => (a.impl === 'ops' ? opsLoss(x, y) : layersLoss(x, y)), true);
  const value = loss.dataSync()[0]; // the step has finished
  loss.dispose();
  return value;
}

const first = step();
for (let i = 1; i < warmupSteps; i++) step();
const live = tf.memory().numTensors;
const t0 = performance.now();
let steps = 0, elapsed = 0, loss = NaN;
do {
  loss = step();
  steps++;
  elapsed = (performance.now() - t0) / 1000;
} while (elapsed < seconds || steps < minSteps);
if (tf.memory().numTensors !== live) throw new Error(`tensor leak: ${live} → ${tf.memory().numTensors}`);

process.stdout.write(`${JSON.stringify({
  peer: 'tfjs', backend: a.backend, impl: a.impl, ...(wasmFlavor ? { wasmFlavor } : {}),
  version: tf.version.tfjs,
  cell: a.cell, hidden: H, batch: B, steps: T, vocab: V, threads: 1,
  tokensPerSecond: Math.round(B * T * steps / elapsed * 10) / 10, measuredSteps: steps,
  seconds: Math.round(elapsed * 1000) / 1000, firstLoss: Math.round(first * 1e4) / 1e4, loss: Math.round(loss * 1e4) / 1e4,
})}\n`);
