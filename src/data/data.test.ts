// Text and batches against d2l: its vocabulary of The Time Machine and its two batching schemes.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ROOT } from '../../test/helpers.js';
import { RecurError } from '../errors.js';
import { Rng } from '../tensor/rng.js';
import { epochBatches } from './batches.js';
import { preprocessD2l, tokenize, Vocab } from './text.js';

const timeMachine = readFileSync(`${ROOT}data/timemachine.txt`, 'utf8');

test('d2l preprocessing and vocabulary reproduce d2l 8.2 on The Time Machine', () => {
  const lines = preprocessD2l(timeMachine);
  assert.equal(lines.length, 3221);                               // d2l: "# text lines: 3221"
  assert.equal(lines[0], 'the time machine by h g wells');        // d2l prints lines[0]
  const corpus = tokenize(timeMachine, 'char', 'd2l');
  assert.equal(corpus.length, 170580);                            // d2l load_corpus_time_machine: len(corpus)
  const vocab = Vocab.build(corpus, { kind: 'char', preprocess: 'd2l' });
  assert.equal(vocab.size, 28);                                   // d2l: len(vocab) == 28
  // d2l: list(vocab.token_to_idx.items())[:10]
  assert.deepEqual(vocab.tokens.slice(0, 10), ['<unk>', ' ', 'e', 't', 'a', 'i', 'n', 'o', 's', 'h']);
  const words = tokenize(timeMachine, 'word', 'd2l');
  const wordVocab = Vocab.build(words, { kind: 'word', preprocess: 'd2l' });
  // d2l: vocab.token_freqs[:3] of word tokens (the 2225, of 1263 (after <unk>: the, i, and)
  assert.deepEqual(wordVocab.tokens.slice(0, 4), ['<unk>', 'the', 'i', 'and']);
});

test('vocabulary: minimum frequency, reserved tokens, <unk>, and an error without one', () => {
  const v = Vocab.build(['b', 'a', 'b', 'c', 'b', 'a'], { kind: 'char', preprocess: 'none', minFreq: 2, reserved: ['<pad>'] });
  assert.deepEqual(v.tokens, ['<unk>', '<pad>', 'b', 'a']);
  assert.deepEqual(Array.from(v.encode(['a', 'c'])), [3, 0]);
  const strict = Vocab.build(['a', 'b'], { kind: 'char', preprocess: 'none', unk: null });
  assert.throws(() => strict.encode(['a', 'z', 'é']), (e: Error) =>
    e instanceof RecurError && /2 characters not in the vocabulary, which has no unknown token: "z", "é"/.test(e.message));
  assert.equal(strict.decode([1, 0]), 'ba');
});

test('sequential partitioning: minibatch i+1 continues minibatch i in every row', () => {
  const corpus = Int32Array.from({ length: 1000 }, (_, i) => i);
  const B = 4, T = 7;
  const batches = [...epochBatches(corpus, B, T, 'sequential', new Rng(3))];
  assert.ok(batches.length >= 30);
  for (let i = 0; i + 1 < batches.length; i++) {
    for (let b = 0; b < B; b++) {
      assert.equal(batches[i + 1]!.inputs[b]!, batches[i]!.inputs[(T - 1) * B + b]! + 1); // row continues
    }
  }
  for (const mb of batches) for (let j = 0; j < T * B; j++) assert.equal(mb.targets[j], mb.inputs[j]! + 1);
});

test('random sampling: disjoint subsequences of length T, targets shifted by one', () => {
  const corpus = Int32Array.from({ length: 500 }, (_, i) => i);
  const B = 3, T = 5;
  const starts = new Set<number>();
  for (const mb of epochBatches(corpus, B, T, 'random', new Rng(9))) {
    for (let b = 0; b < B; b++) {
      const s = mb.inputs[b]!;
      assert.ok(!starts.has(s));
      starts.add(s);
      for (let t = 0; t < T; t++) {
        assert.equal(mb.inputs[t * B + b], s + t);
        assert.equal(mb.targets[t * B + b], s + t + 1);
      }
    }
  }
  assert.ok(starts.size >= 90);
  assert.throws(() => [...epochBatches(corpus.subarray(0, 10), B, T, 'random', new Rng(1))], /too few for batch 3 × steps 5/);
});
