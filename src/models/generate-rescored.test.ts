// d2l's "wrong application" (generateRescored): for a left-to-right model, re-reading the whole
// text for every character is the same as stepping the state, so it samples exactly what generate
// samples; for a bidirectional model it runs where generate refuses, and the last step's prediction
// depends only on the text so far.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Vocab } from '../data/text.js';
import { jsKernels } from '../kernels/js/index.js';
import { recurrentConfig } from '../layers/config.js';
import { Rng } from '../tensor/rng.js';
import { generate, generateRescored } from './generate.js';
import { LanguageModel } from './language-model.js';

const k = jsKernels('float64');
const vocab = Vocab.build([...'the time machine by h g wells'], { kind: 'char', preprocess: 'none', minFreq: 0 });
const model = (bidirectional: boolean) => new LanguageModel({
  vocabSize: vocab.size, embeddingSize: null,
  rnn: recurrentConfig({ cell: 'gru', inputSize: vocab.size, hiddenSize: 6, bidirectional }),
}, k, new Rng(4));

test('generateRescored equals generate for a left-to-right model (same samples, same Rng)', () => {
  const lm = model(false);
  const a = generate(lm, vocab, 'the ti', { length: 25, temperature: 1 }, new Rng(9));
  const b = generateRescored(lm, vocab, 'the ti', { length: 25, temperature: 1 }, new Rng(9));
  assert.equal(b, a);
  assert.equal(a.length, 6 + 25);
});

test('a bidirectional model: generate refuses, generateRescored writes from the last step of the text so far', () => {
  const lm = model(true);
  assert.throws(() => generate(lm, vocab, 'the', { length: 3 }, new Rng(1)), /bidirectional model sees the future/);
  const text = generateRescored(lm, vocab, 'the', { length: 12, temperature: 0.8 }, new Rng(1));
  assert.equal(text.length, 15);
  assert.ok(text.startsWith('the'));
  // the first new character is what the last step of "the" predicts: greedy = argmax of that row
  const ids = vocab.encode([...'the'], 'test');
  const logits = lm.logits(ids, 3, 1);
  const V = vocab.size;
  const row = Array.from(logits.subarray(2 * V, 3 * V));
  const greedy = generateRescored(lm, vocab, 'the', { length: 1, greedy: true }, new Rng(1));
  assert.equal(greedy, `the${vocab.tokens[row.indexOf(Math.max(...row))]}`);
});
