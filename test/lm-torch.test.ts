// recur's language models against PyTorch, both ways, through the CLI.
//
// PyTorch → recur: every case in test/fixtures/lm/ (made by tools/torch/make_lm_fixtures.py) is a
// small model trained in PyTorch and saved by tools/torch/charlm.py; `recur eval` must give
// PyTorch's perplexity on the case's text (1e-4 relative, the same token count) and
// `recur generate --greedy` the same text. The fixtures hold every greedy step's top-1 logit above
// the top-2 by > 1e-3, so float32 differences cannot flip a step. No Python needed.
//
// recur → PyTorch: a tiny model from `recur train` must give the same perplexity and greedy text
// in `charlm.py eval` / `charlm.py generate --greedy` as in recur (also a reset-before GRU, which
// torch.nn.GRU lacks: recur_torch runs it as a loop). Needs /usr/bin/python3 with
// torch; skipped (and reported so) without it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT } from './helpers.js';

const RECUR = join(ROOT, 'bin', 'recur.js');
const PYTHON = '/usr/bin/python3';
const CHARLM = join(ROOT, 'tools', 'torch', 'charlm.py');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'lm');
const PERPLEXITY_TOLERANCE = 1e-4; // relative

interface Expected {
  about: string; perplexity: number; tokens: number; text: string; prefix: string; length: number; greedy: string;
  minMargin: number;
}
interface EvalResult { perplexity: number; tokens: number; loss: number }

function run(command: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(command, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 16 << 20 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function ok(command: string, args: string[]): string {
  const r = run(command, args);
  assert.equal(r.status, 0, `${command} ${args.join(' ')} exited with ${r.status}:\n${r.stderr}`);
  return r.stdout;
}

const recur = (...args: string[]) => ok(process.execPath, [RECUR, ...args]);
const charlm = (...args: string[]) => ok(PYTHON, [CHARLM, ...args]);
/** Generated text: stdout less the one newline the command ends it with (the text may end in spaces). */
const line = (stdout: string) => stdout.replace(/\n$/, '');

function relativeError(actual: number, expected: number): number {
  return Math.abs(actual - expected) / Math.abs(expected);
}

function withTmp<T>(body: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'recur-lm-torch-'));
  try { return body(dir); } finally { rmSync(dir, { recursive: true, force: true }); }
}

const cases = (JSON.parse(readFileSync(join(FIXTURES, 'manifest.json'), 'utf8')) as { name: string }[]).map((c) => c.name);

test('the PyTorch language-model fixtures cover the cells, inputs and tokenizers', () => {
  assert.ok(cases.length >= 5, `expected at least 5 cases, got ${cases.length}`);
  const configs = cases.map((name) => {
    const header = readFileSync(join(FIXTURES, name, 'checkpoint.safetensors'));
    const n = Number(header.readBigUInt64LE(0));
    const meta = (JSON.parse(header.subarray(8, 8 + n).toString('utf8')) as { __metadata__: Record<string, string> }).__metadata__;
    return JSON.parse(meta['recur.config']!) as {
      tokenizer: { kind: string; unk: string | null; preprocess: string }; embeddingSize: number | null;
      rnn: { cell: string; resetAfter: boolean; nonlinearity: string };
    };
  });
  const has = (what: string, f: (c: (typeof configs)[number]) => boolean) => assert.ok(configs.some(f), `no fixture with ${what}`);
  has('an LSTM', (c) => c.rnn.cell === 'lstm');
  has('a reset-after GRU', (c) => c.rnn.cell === 'gru' && c.rnn.resetAfter);
  has('a ReLU RNN', (c) => c.rnn.cell === 'rnn' && c.rnn.nonlinearity === 'relu');
  has('one-hot input', (c) => c.embeddingSize === null);
  has('an embedding', (c) => c.embeddingSize !== null);
  has('word tokens', (c) => c.tokenizer.kind === 'word');
  has('d2l preprocessing', (c) => c.tokenizer.preprocess === 'd2l');
  has('no unknown token', (c) => c.tokenizer.unk === null);
});

for (const name of cases) {
  test(`${name}: recur eval and generate --greedy match PyTorch`, (t) => {
    const dir = join(FIXTURES, name);
    const checkpoint = join(dir, 'checkpoint.safetensors');
    const e = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Expected;
    withTmp((tmp) => {
      const textFile = join(tmp, 'eval.txt');
      writeFileSync(textFile, e.text);
      const r = JSON.parse(recur('eval', '--checkpoint', checkpoint, '--text', textFile, '--json')) as EvalResult;
      assert.equal(r.tokens, e.tokens, 'tokens predicted');
      const err = relativeError(r.perplexity, e.perplexity);
      t.diagnostic(`perplexity ${r.perplexity} vs PyTorch ${e.perplexity}: relative error ${err.toExponential(2)}`);
      assert.ok(err <= PERPLEXITY_TOLERANCE,
        `perplexity ${r.perplexity} vs PyTorch ${e.perplexity}: relative error ${err.toExponential(2)} > ${PERPLEXITY_TOLERANCE}`);
    });
    const g = line(recur('generate', '--checkpoint', checkpoint, '--prefix', e.prefix, '--length', String(e.length), '--greedy'));
    assert.equal(g, e.greedy, `greedy text from prefix ${JSON.stringify(e.prefix)} (PyTorch's smallest top1 - top2 logit gap: ${e.minMargin})`);
  });
}

function torchMissing(): string | undefined {
  const r = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
  if (r.error) return `${PYTHON} cannot run (${r.error.message})`;
  if (r.status !== 0) return `${PYTHON} has no torch (${r.stderr.trim().split('\n').pop()})`;
  return undefined;
}

test('a model trained by recur gives the same perplexity and greedy text in PyTorch (charlm.py)', (t) => {
  const missing = torchMissing();
  if (missing !== undefined) {
    t.skip(`needs PyTorch: ${missing}`);
    return;
  }
  withTmp((tmp) => {
    const book = readFileSync(join(ROOT, 'data', 'timemachine.txt'), 'utf8');
    const textFile = join(tmp, 'eval.txt');
    writeFileSync(textFile, book.slice(120_000, 122_000)); // characters the 3000-token corpus lacks become <unk>
    const prefix = 'The Time Traveller';
    const models: Record<string, string[]> = {
      'lstm one-hot': [],
      'gru (reset after), embedding, 2 layers': ['--cell', 'gru', '--reset-after', '--embedding', '8', '--layers', '2'],
    };
    for (const [what, options] of Object.entries(models)) {
      const out = join(tmp, what.replace(/[^a-z0-9]+/g, '-'));
      recur('train', '--hidden', '16', '--epochs', '4', '--batch', '4', '--steps', '16', '--lr', '0.02', '--max-tokens', '3000',
            '--val', '0', '--sample', '0', '--out', out, ...options);
      const checkpoint = join(out, 'checkpoint.safetensors');

      const mine = JSON.parse(recur('eval', '--checkpoint', checkpoint, '--text', textFile, '--json')) as EvalResult;
      const theirs = JSON.parse(charlm('eval', checkpoint, textFile, '--json')) as EvalResult;
      assert.equal(theirs.tokens, mine.tokens, `${what}: tokens predicted`);
      const err = relativeError(mine.perplexity, theirs.perplexity);
      t.diagnostic(`${what}: perplexity ${mine.perplexity} vs PyTorch ${theirs.perplexity}: relative error ${err.toExponential(2)}`);
      assert.ok(err <= PERPLEXITY_TOLERANCE, `${what}: perplexity ${mine.perplexity} vs PyTorch ${theirs.perplexity}: relative error ${err.toExponential(2)}`);

      const length = '60';
      const g = JSON.parse(charlm('generate', checkpoint, '--prefix', prefix, '--length', length, '--greedy', '--json')) as
        { text: string; minMargin: number };
      // a near tie would make the comparison a coin toss in float32: then this model is unfit, say so
      assert.ok(g.minMargin > 1e-4, `${what}: a greedy step's top1 - top2 logit gap is ${g.minMargin}: too close to compare; change the training options`);
      assert.equal(line(recur('generate', '--checkpoint', checkpoint, '--prefix', prefix, '--length', length, '--greedy')), g.text,
        `${what}: greedy text (PyTorch's smallest top1 - top2 logit gap: ${g.minMargin})`);
    }

    // recur's default GRU (reset before) has no torch.nn.GRU form: charlm.py runs it as recur_torch's loop
    const out = join(tmp, 'gru-before');
    recur('train', '--cell', 'gru', '--hidden', '8', '--epochs', '1', '--batch', '2', '--steps', '8', '--max-tokens', '200', '--val', '0', '--sample', '0', '--out', out);
    const checkpoint = join(out, 'checkpoint.safetensors');
    const mine = JSON.parse(recur('eval', '--checkpoint', checkpoint, '--text', textFile, '--json')) as EvalResult;
    const theirs = JSON.parse(charlm('eval', checkpoint, textFile, '--json')) as EvalResult;
    const err = relativeError(mine.perplexity, theirs.perplexity);
    assert.ok(err <= PERPLEXITY_TOLERANCE, `reset-before GRU: perplexity ${mine.perplexity} vs PyTorch ${theirs.perplexity}: relative error ${err.toExponential(2)}`);
  });
});
