/**
 * @module cli/eval
 * `recur eval`: the perplexity of a checkpoint on a text, with the checkpoint's own tokenizer and
 * preprocessing: one pass over the whole text from a zero state, every token i+1 predicted from
 * tokens 0..i.
 */
import { evaluatePerplexity } from '../models/evaluate.js';
import { RecurError } from '../errors.js';
import { loadLm } from '../models/lm-file.js';
import { checkStep, MAX_EXP_ARGUMENT } from '../train/guard.js';
import { parseOptions, required } from './args.js';
import { BACKEND_OPTIONS, backendFromOptions } from './backend.js';
import { readText } from './datasets.js';
import { readSafetensors } from './files.js';

export const EVAL_USAGE = `usage: recur eval --checkpoint F --text FILE|timemachine|tinyshakespeare [--json]

  Prints the perplexity exp(mean cross-entropy) and the number of tokens predicted.`;

export async function evalCommand(args: string[]): Promise<number> {
  const o = parseOptions(args, { checkpoint: { type: 'string' }, text: { type: 'string' }, json: { type: 'boolean' }, ...BACKEND_OPTIONS });
  const path = required(o.checkpoint, '--checkpoint');
  const text = readText(required(o.text, '--text'), '--text');
  const k = await backendFromOptions(o);
  const { model, vocab } = loadLm(readSafetensors(path, '--checkpoint'), path, k);
  const r = evaluatePerplexity(model, vocab.encodeText(text.text, `--text ${text.name}`), { steps: 128, rows: 1 });
  // a diverged model: its loss is not finite, or so large that the perplexity exp(loss) overflows
  if (checkStep(r.loss, undefined, MAX_EXP_ARGUMENT)) throw new RecurError(`--checkpoint ${path}: the perplexity on ${text.name} is not finite (loss ${r.loss}): the model has diverged`);
  if (o.json) process.stdout.write(`${JSON.stringify({ perplexity: r.perplexity, tokens: r.tokens, loss: r.loss })}\n`);
  else process.stdout.write(`perplexity ${r.perplexity.toFixed(4)} over ${r.tokens} tokens (${r.loss.toFixed(4)} nats per token)\n`);
  return 0;
}
