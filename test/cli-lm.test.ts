// recur train / generate / eval as a user runs them: JSON lines, checkpoints, exact resume through
// the CLI, reproducible sampling, and clear errors.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ROOT } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'recur-lm-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function recur(...args: string[]) {
  const r = spawnSync(process.execPath, [`${ROOT}bin/recur.js`, ...args], { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
const SMALL = ['--hidden', '8', '--max-tokens', '3000', '--batch', '4', '--steps', '10', '--seed', '1', '--backend', 'js'];
const jsonLines = (out: string) => out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

test('train --json: a JSON object per line with the documented keys, a checkpoint, a sample', () => {
  const r = recur('train', ...SMALL, '--epochs', '2', '--out', join(dir, 'a'), '--json', '--sample', '30');
  assert.equal(r.code, 0, r.err);
  const lines = jsonLines(r.out);
  const steps = lines.filter((l) => l.event === 'step');
  assert.ok(steps.length > 10);
  for (const l of lines.filter((l) => l.event === 'step' || l.event === 'epoch')) {
    for (const key of ['epoch', 'step', 'trainPerplexity', 'valPerplexity', 'gradNorm', 'tokensPerSecond']) assert.ok(key in l, `${key} in ${JSON.stringify(l)}`);
  }
  // per-parameter gradient norms (before clipping) in every step line; their root sum of squares is ‖g‖
  const norms = steps[0]!.paramGradNorms as Record<string, number>;
  assert.deepEqual(Object.keys(norms), ['rnn.weight_ih_l0', 'rnn.weight_hh_l0', 'rnn.bias_ih_l0', 'rnn.bias_hh_l0', 'head.weight', 'head.bias']);
  const total = Math.sqrt(Object.values(norms).reduce((s, n) => s + n * n, 0));
  assert.ok(Math.abs(total - (steps[0]!.gradNorm as number)) < 1e-6 * total);
  const end = lines[lines.length - 1]!;
  assert.equal(end.event, 'end');
  assert.equal(end.checkpoint, join(dir, 'a', 'checkpoint.safetensors'));
  assert.ok(existsSync(end.checkpoint as string));
  assert.equal((end.sample as string).length, 10 + 30); // prefix (10 characters) + 30 generated
  const epochs = lines.filter((l) => l.event === 'epoch');
  const best = end.best as { path: string; valPerplexity: number; epoch: number };
  assert.equal(best.path, join(dir, 'a', 'best.safetensors'));
  assert.ok(existsSync(best.path));
  assert.equal(best.valPerplexity, Math.min(...epochs.map((l) => l.valPerplexity as number)));
  assert.ok((epochs[1]!.trainPerplexity as number) < (epochs[0]!.trainPerplexity as number));
});

test('--resume continues exactly: the resumed run logs the losses of the uninterrupted one', () => {
  const full = recur('train', ...SMALL, '--epochs', '2', '--out', join(dir, 'full'), '--json', '--sample', '0');
  const half = recur('train', ...SMALL, '--epochs', '1', '--out', join(dir, 'half'), '--json', '--sample', '0');
  const rest = recur('train', '--resume', join(dir, 'half', 'checkpoint.safetensors'), '--epochs', '2', '--out', join(dir, 'half'), '--json', '--sample', '0', '--backend', 'js');
  assert.equal(rest.code, 0, rest.err);
  const losses = (out: string) => jsonLines(out).filter((l) => l.event === 'step').map((l) => l.loss);
  assert.deepEqual([...losses(half.out), ...losses(rest.out)], losses(full.out));
});

test('generate: greedy is deterministic, a seed reproduces a sample, the output starts with the prefix', () => {
  const ck = join(dir, 'a', 'checkpoint.safetensors');
  const g1 = recur('generate', '--checkpoint', ck, '--prefix', 'The Time', '--length', '40', '--greedy');
  const g2 = recur('generate', '--checkpoint', ck, '--prefix', 'The Time', '--length', '40', '--greedy');
  assert.equal(g1.code, 0, g1.err);
  assert.equal(g1.out, g2.out);
  assert.ok(g1.out.startsWith('The Time'));
  assert.equal(g1.out.length, 'The Time'.length + 40 + 1);
  const s = (seed: string) => recur('generate', '--checkpoint', ck, '--length', '60', '--temperature', '1.5', '--top-k', '10', '--seed', seed).out;
  assert.equal(s('4'), s('4'));
  assert.notEqual(s('4'), s('5'));
});

test('eval --json: perplexity and tokens of a text with the checkpoint\'s tokenizer', () => {
  const text = join(dir, 'eval.txt');
  writeFileSync(text, 'The Time Traveller (for so it will be convenient to speak of him)');
  const r = recur('eval', '--checkpoint', join(dir, 'a', 'checkpoint.safetensors'), '--text', text, '--json');
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out) as { perplexity: number; tokens: number };
  assert.equal(j.tokens, 64); // 65 characters: every one after the first is predicted
  assert.ok(j.perplexity > 1 && j.perplexity < 40);
});

test('errors are one clear line with a non-zero exit', () => {
  const cases: [string[], number, RegExp][] = [
    [['train', '--data', join(dir, 'nope.txt')], 1, /--data .*nope\.txt: no such file, and not a shipped corpus \(timemachine, tinyshakespeare\)/],
    [['train', '--cell', 'transformer'], 2, /--cell: expected one of lstm, gru, rnn, residual, got "transformer"/],
    [['train', '--lr=-1'], 2, /--lr: expected a number > 0, got "-1"/],
    // a negative value is read as the value, and the option's own range check answers
    [['train', '--lr', '-1'], 2, /--lr: expected a number > 0, got "-1"/],
    [['train', '--time', 'soon'], 2, /--time: expected a duration like 90s, 5m or 1h30m, got "soon"/],
    [['train', '--time', '0'], 2, /--time: expected a duration like 90s, 5m or 1h30m, got "0"/],
    [['generate', '--checkpoint', join(dir, 'a', 'checkpoint.safetensors'), '--temperature', '-1'], 2, /--temperature: expected a number > 0, got -1/],
    [['generate', '--checkpoint', join(dir, 'a', 'checkpoint.safetensors'), '--top-p', '2'], 2, /--top-p: expected a number in \(0, 1\], got 2/],
    [['generate', '--checkpoint', `${ROOT}examples/model.safetensors`], 1, /expected a language model checkpoint \("model": "lm"\), got a recurrent stack/],
    [['generate', '--checkpoint', join(dir, 'a', 'checkpoint.safetensors'), '--greedy', '--temperature', '2'], 2, /--greedy .* cannot be combined with --temperature/],
    [['eval', '--checkpoint', join(dir, 'a', 'checkpoint.safetensors')], 2, /missing --text/],
    [['train', '--resume', join(dir, 'a', 'checkpoint.safetensors'), '--lr', '0.1'], 2, /--resume continues the checkpoint's own run, so --lr cannot be set/],
  ];
  for (const [args, code, message] of cases) {
    const r = recur(...args);
    assert.equal(r.code, code, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err.split('\n')[0]!, message);
    assert.doesNotMatch(r.err, /^\s+at /m);
    // one line; a usage error adds where the usage is, not the usage itself
    assert.deepEqual(r.err.replace(/\n$/, '').split('\n').slice(1), code === 2 ? [`see \`recur ${args[0]} --help\``] : [], r.err);
  }
  const bi = recur('train', ...SMALL, '--epochs', '1', '--bidirectional', '--out', join(dir, 'bi'), '--sample', '0');
  assert.equal(bi.code, 0, bi.err);
  const g = recur('generate', '--checkpoint', join(dir, 'bi', 'checkpoint.safetensors'));
  assert.equal(g.code, 1);
  assert.match(g.err, /bidirectional model sees the future: it can score text but cannot generate it/);
});

test('Ctrl-C saves a checkpoint that resumes, and exits 130', async () => {
  const out = join(dir, 'sigint');
  const child = spawn(process.execPath, [`${ROOT}bin/recur.js`, 'train', ...SMALL, '--epochs', '1000', '--out', out, '--json', '--sample', '0', '--checkpoint-every', '100000'], { cwd: ROOT });
  let text = '';
  let sent = false;
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (d: string) => {
    text += d;
    if (!sent && text.includes('"event":"step"')) { sent = true; child.kill('SIGINT'); }
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  assert.equal(code, 130);
  const lines = jsonLines(text);
  assert.ok(lines.some((l) => l.event === 'note' && /interrupted: saving a checkpoint/.test(l.message as string)));
  assert.equal(lines[lines.length - 1]!.outcome, 'stopped');
  const resumed = recur('train', '--resume', join(out, 'checkpoint.safetensors'), '--epochs', '1', '--out', out, '--json', '--sample', '0', '--backend', 'js');
  assert.equal(resumed.code, 0, resumed.err);
});
