// Every example in examples/ runs, on the budget its header states, and does what it says.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { ROOT } from './helpers.js';

const PYTHON = '/usr/bin/python3';

function example(name: string, ...args: string[]): string {
  const r = spawnSync(process.execPath, [`${ROOT}dist/examples/${name}.js`, ...args], { encoding: 'utf8', cwd: ROOT });
  assert.equal(r.status, 0, `${name} failed:\n${r.stderr}`);
  return r.stdout;
}

const percent = (out: string, re: RegExp): number => Number(re.exec(out)?.[1] ?? NaN);

test('GRU classifier: learns the waves (≥ 95% held out) and matches PyTorch\'s script of the same model within 1 point', (t) => {
  const out = example('gru-classifier');
  const mine = percent(out, /held-out accuracy ([\d.]+)%/);
  assert.ok(mine >= 95, out);
  const torch = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
  if (torch.status !== 0) {
    t.diagnostic(`PyTorch comparison not run: ${PYTHON} has no torch`);
    return;
  }
  const theirs = percent(spawnSync(PYTHON, [`${ROOT}tools/examples/gru_classifier_torch.py`], { encoding: 'utf8' }).stdout, /held-out accuracy ([\d.]+)%/);
  t.diagnostic(`recur ${mine}% vs PyTorch ${theirs}%`);
  assert.ok(Math.abs(mine - theirs) <= 1, `recur ${mine}% vs PyTorch ${theirs}%`);
});

test('bidirectional tagger: the bidirectional LSTM tags (≥ 97%) what a left-to-right one cannot (< 85%)', () => {
  const out = example('bilstm-tagger', '6');
  assert.ok(percent(out, /bidirectional LSTM: per-step accuracy ([\d.]+)%/) >= 97, out);
  assert.ok(percent(out, /left-to-right LSTM: per-step accuracy ([\d.]+)%/) < 85, out);
  assert.match(out, /tags of 3 1 4 1 5 9 2 6: 1 0 1 0 0 1 0 0 \(expected/);
});

test('airline forecaster: the GRU beats the seasonal naive forecast one step ahead', () => {
  const out = example('airline-forecaster');
  const m = /GRU ([\d.]+), seasonal naive ([\d.]+)/.exec(out);
  assert.ok(m, out);
  assert.equal(Number(m[2]), 50.0, 'the seasonal naive RMSE of docs/forecasting.md');
  assert.ok(Number(m[1]) < 0.6 * Number(m[2]), out);
});

test('custom model with two inputs: learns (RMSE far below predicting 0), saves and reloads to the same numbers', () => {
  const out = example('custom-model', '10');
  const m = /held-out RMSE ([\d.]+) \(predicting 0: ([\d.]+)\); reloaded: ([\d.]+)/.exec(out);
  assert.ok(m, out);
  assert.ok(Number(m[1]) < 0.1 * Number(m[2]), out);
  assert.equal(m[3], m[1], 'the reloaded model scores the same');
});

test('character language model: two epochs bring validation perplexity far below uniform guessing, and it samples', () => {
  const out = example('char-lm', '2');
  const ppl = Number(/validation perplexity ([\d.]+) \(uniform guessing: 28\)/.exec(out)?.[1]);
  assert.ok(ppl < 8, out);
  assert.match(out, /\nthe time traveller[a-z <unk>]{60,}\n/);
});
