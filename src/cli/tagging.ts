/**
 * @module cli/tagging
 * `recur task tagging`: a left-to-right and a bidirectional tagger on the same data, where each
 * label depends on the next token (analysis/tagging); their test accuracy after every epoch.
 */
import { checkTagging, TAGGING_CELLS, trainTaggers, type TaggingOptions } from '../analysis/tagging.js';
import { asUsage, parseOptions } from './args.js';
import { BACKEND_OPTIONS, backendFromOptions } from './backend.js';
import { choiceOption, intOption, numberOption } from './numbers.js';

/** The tagging task's lines of `recur task`'s usage. */
export const TAGGING_USAGE = `  tagging  tag each digit 1 when it is larger than the next one: a left-to-right and a bidirectional
           tagger (embedding 8, the cell, linear 2; Adam, clip 1) on the same data; test accuracy per epoch
           --cell lstm|gru|rnn (default lstm)  --hidden H (16)  --epochs N (5)  --train N sequences (300)
           --lr X (0.01)  --seed S (0)  --backend  --json`;

/** `recur task tagging ARGS`. */
export async function taggingCommand(args: string[]): Promise<number> {
  const o = parseOptions(args, {
    cell: { type: 'string' }, hidden: { type: 'string' }, epochs: { type: 'string' }, train: { type: 'string' },
    lr: { type: 'string' }, seed: { type: 'string' }, json: { type: 'boolean' }, ...BACKEND_OPTIONS,
  });
  const options: TaggingOptions = {
    cell: choiceOption(o.cell, '--cell', TAGGING_CELLS, 'lstm'),
    hidden: intOption(o.hidden, '--hidden', 16), epochs: intOption(o.epochs, '--epochs', 5), train: intOption(o.train, '--train', 300),
    lr: numberOption(o.lr, '--lr', 0.01, (n) => n > 0 && n <= 1, 'a number in (0, 1]'), seed: intOption(o.seed, '--seed', 0, 0),
  };
  asUsage(() => checkTagging(options)); // the ranges, before the kernels load
  const k = await backendFromOptions(o);
  const r = await trainTaggers(options, k);
  if (o.json) {
    process.stdout.write(`${JSON.stringify({ task: 'tagging', ...options, backend: k.name, ...r })}\n`);
    return 0;
  }
  const pct = (v: number) => `${(100 * v).toFixed(1)}%`.padStart(7);
  process.stdout.write(`tagging (1 where a digit is larger than the next), ${options.cell} H=${options.hidden}, ${options.train} training sequences\n`);
  process.stdout.write(`epoch  left-to-right  bidirectional\n`);
  r.epochs.forEach((e, i) => process.stdout.write(`${String(e).padStart(5)}  ${pct(r.unidirectional[i]!)}        ${pct(r.bidirectional[i]!)}\n`));
  process.stdout.write(`the current digit alone (1 when d ≥ 5): ${pct(r.currentDigitOnly).trim()}\n`);
  return 0;
}
