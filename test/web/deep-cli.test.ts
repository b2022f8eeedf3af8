// The deep-and-bidirectional section's figures compute what the CLI prints: `recur task tagging`
// (both taggers' accuracy per epoch) and two `recur train` runs (training perplexity per epoch and
// the sample), for the same settings and the command lines the figures show.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadKernels } from '../../src/index.js';
import {
  computeLm, computeTagger, lmCommand, taggerCommand, type LmParams, type TaggerParams,
} from '../../web/src/notes/sections/deep/compute.js';
import { recurJson, ROOT } from './harness.js';

const kernels = () => loadKernels({ prefer: 'wasm-simd', threads: 1 });

test('deep-tagger = recur task tagging: the same accuracies; the bidirectional tagger wins', async () => {
  const p: TaggerParams = { cell: 'gru', hidden: 16, epochs: 5, train: 300, lr: 0.03, seed: 1 };
  const page = await computeTagger(p, await kernels());
  const cli = recurJson(taggerCommand(p)) as { unidirectional: number[]; bidirectional: number[]; currentDigitOnly: number; epochs: number[] };
  assert.deepEqual(page.unidirectional, cli.unidirectional);
  assert.deepEqual(page.bidirectional, cli.bidirectional);
  assert.equal(page.currentDigitOnly, cli.currentDigitOnly);
  assert.deepEqual(page.epochs, [1, 2, 3, 4, 5]);
  // what they say: the left-to-right tagger cannot beat the current-digit rule by much; the other can
  assert.ok(Math.max(...page.unidirectional) < page.currentDigitOnly + 0.03, `left-to-right ${page.unidirectional}`);
  assert.ok(page.bidirectional.at(-1)! > 0.95, `bidirectional ${page.bidirectional}`);
});

/** Run `recur train …` in a scratch folder (it writes checkpoints into --out); its JSON lines. */
function trainLines(command: string, cwd: string): Record<string, unknown>[] {
  const [bin, ...args] = command.split(' ');
  assert.equal(bin, 'recur');
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'recur.js'), ...args], { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${command} failed (${r.status}): ${r.stderr}`);
  return r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
}

test('deep-lm = two recur train runs: the same perplexities and samples; the bidirectional one cheats', async () => {
  const p: LmParams = { cell: 'gru', hidden: 32, epochs: 6, chars: 5000, seed: 0 };
  const text = readFileSync(join(ROOT, 'data', 'timemachine.txt'), 'utf8');
  const page = await computeLm(p, text, await kernels());
  const commands = lmCommand(p).split(' && ');
  assert.equal(commands.length, 2);
  const dir = mkdtempSync(join(tmpdir(), 'recur-deep-'));
  try {
    commands.forEach((command, i) => {
      const lines = trainLines(command, dir);
      const run = i === 0 ? page.unidirectional : page.bidirectional;
      assert.deepEqual(run.trainPerplexity, lines.filter((l) => l.event === 'epoch').map((l) => l.trainPerplexity));
      assert.equal(run.sample, lines.find((l) => l.event === 'end')!.sample);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.ok(page.bidirectional.trainPerplexity.at(-1)! < page.unidirectional.trainPerplexity.at(-1)! / 2, JSON.stringify(page));
  assert.ok(page.unidirectional.sample.startsWith(page.prefix) && page.bidirectional.sample.startsWith(page.prefix));
});

test('recur task tagging: a bad setting is one clear line and exit 2, before any training', () => {
  for (const [args, message] of [
    [['--cell', 'lstmx'], /--cell: expected .*lstm.*gru.*rnn.*got "?lstmx/],
    [['--hidden', '0'], /--hidden: expected an integer ≥ 1, got "0"/],
    [['--epochs', '100'], /epochs: expected an integer in 1…50, got 100/],
  ] as const) {
    const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'recur.js'), 'task', 'tagging', ...args], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr.split('\n')[0]!, message);
    assert.doesNotMatch(r.stderr, /\n\s+at /); // no stack trace
  }
});
