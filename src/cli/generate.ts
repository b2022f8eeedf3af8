/**
 * @module cli/generate
 * `recur generate`: text from a checkpoint, streamed to stdout: the prefix, then the tokens drawn.
 */
import { checkSamplingOptions } from '../sample/sample.js';
import { generate } from '../models/generate.js';
import { loadLm } from '../models/lm-file.js';
import { Rng } from '../tensor/rng.js';
import { asUsage, parseOptions, required, UsageError } from './args.js';
import { BACKEND_OPTIONS, backendFromOptions } from './backend.js';
import { readSafetensors } from './files.js';
import { intOption, numberOption } from './numbers.js';

export const GENERATE_USAGE = `usage: recur generate --checkpoint F [--prefix "time traveller"] [--length N (200)]
                      [--greedy | --temperature X (1) --top-k K --top-p P] [--seed S]

  Warms the model up on the prefix, then samples one token at a time. The output is the prefix
  followed by the generated tokens. A prefix token the vocabulary lacks becomes <unk> if it has one.`;

export async function generateCommand(args: string[]): Promise<number> {
  const o = parseOptions(args, {
    checkpoint: { type: 'string' }, prefix: { type: 'string' }, length: { type: 'string' }, greedy: { type: 'boolean' },
    temperature: { type: 'string' }, 'top-k': { type: 'string' }, 'top-p': { type: 'string' }, seed: { type: 'string' },
    ...BACKEND_OPTIONS,
  });
  const path = required(o.checkpoint, '--checkpoint');
  if (o.greedy && (o.temperature !== undefined || o['top-k'] !== undefined || o['top-p'] !== undefined)) {
    throw new UsageError('--greedy takes the most likely token: it cannot be combined with --temperature, --top-k or --top-p');
  }
  const sampling = {
    greedy: o.greedy === true,
    ...(o.temperature === undefined ? {} : { temperature: numberOption(o.temperature, '--temperature', 1) }),
    ...(o['top-k'] === undefined ? {} : { topK: numberOption(o['top-k'], '--top-k', 0) }),
    ...(o['top-p'] === undefined ? {} : { topP: numberOption(o['top-p'], '--top-p', 1) }),
  };
  asUsage(() => checkSamplingOptions(sampling));
  const k = await backendFromOptions(o);
  const { model, vocab } = loadLm(readSafetensors(path, '--checkpoint'), path, k);
  const prefix = o.prefix ?? vocab.decode([vocab.tokens.findIndex((t) => t !== vocab.unk)]);
  generate(model, vocab, prefix, { ...sampling, length: intOption(o.length, '--length', 200, 0) },
           new Rng(intOption(o.seed, '--seed', 0, 0)), (piece) => process.stdout.write(piece));
  process.stdout.write('\n');
  return 0;
}
