// Configs that must not compile: each line below is a mistake TypeScript catches (the build fails
// with "Unused '@ts-expect-error' directive" if one of them ever compiles), and the same config from
// a file is refused at run time.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jsKernels } from '../kernels/js/index.js';
import { recurrentConfig } from '../layers/config.js';
import type { LayerConfig } from './config.js';
import { linear, recurrent, reduce } from './factories.js';
import { sequential } from './model.js';

test('mistakes in configs are compile-time errors, and run-time errors when they come from JSON', () => {
  const wrong: unknown[] = [
    // @ts-expect-error a cell that does not exist
    recurrent({ cell: 'lstmx', hiddenSize: 3 }),
    // @ts-expect-error resetAfter is a GRU's option, not an LSTM's
    recurrent({ cell: 'lstm', hiddenSize: 3, resetAfter: true }),
    // @ts-expect-error forgetBias is an LSTM's option
    recurrent({ cell: 'gru', hiddenSize: 3, forgetBias: 1 }),
    // @ts-expect-error no such reducer
    reduce('first'),
    // @ts-expect-error a linear layer needs its output size
    linear({ activation: 'tanh' }),
    // @ts-expect-error no such activation
    linear({ outputSize: 2, activation: 'softmax' }),
    // @ts-expect-error the stack's own config, misspelt
    () => recurrentConfig({ cell: 'gru', inputSize: 2, hiddenSize: 3, numLayer: 2 }),
  ];
  for (const c of wrong.slice(0, 6)) {
    assert.throws(() => sequential([c as LayerConfig, linear({ outputSize: 1 })], { kernels: jsKernels('float64'), inputSize: 2 }));
  }
  assert.throws(wrong[6] as () => unknown, /unknown key "numLayer"/);
});
