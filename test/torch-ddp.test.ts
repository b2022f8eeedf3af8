// tools/torch/train.py past one process: PyTorch DistributedDataParallel (2 processes, gloo on the
// loopback) trains a recur language model; its checkpoint must equal a one-process run of the same
// global batch (every parameter to 1e-5), recur must evaluate it to PyTorch's validation perplexity
// (1e-4 relative), and `recur train --resume` must continue it on one machine exactly: one more
// epoch in recur lands where a 3-epoch PyTorch run lands (the optimizer's state, step count and
// data Rng carried over). Skipped, with the reason, where /usr/bin/python3 has no torch.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { evaluatePerplexity, jsKernels, loadLm, parseSafetensors, tensorToFloat64, tokenize, type SafetensorsFile } from '../src/index.js';
import { compare, describeDiff, ROOT } from './helpers.js';

const PYTHON = '/usr/bin/python3';
const TRAIN = join(ROOT, 'tools', 'torch', 'train.py');
const RECUR = join(ROOT, 'bin', 'recur.js');

function torchMissing(): string | undefined {
  const r = spawnSync(PYTHON, ['-c', 'import torch, numpy, torch.distributed.run'], { encoding: 'utf8' });
  if (r.error) return `${PYTHON} cannot run (${r.error.message})`;
  if (r.status !== 0) return `${PYTHON} has no torch with torch.distributed (${r.stderr.trim().split('\n').pop()})`;
  return undefined;
}

function run(command: string, args: string[], env: Record<string, string> = {}): string {
  const r = spawnSync(command, args, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 16 << 20 });
  if (r.error) throw r.error;
  assert.equal(r.status, 0, `${command} ${args.join(' ')} exited with ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** The JSON epoch lines a train.py run printed (torchrun prefixes them with [default0]:). */
function epochs(stdout: string): { epoch: number; step: number; valPerplexity: number; processes: number }[] {
  return stdout.split('\n').map((l) => l.replace(/^\[default\d+\]:/, '')).filter((l) => l.startsWith('{"event": "epoch"')).map((l) => JSON.parse(l));
}

/** `run`, without waiting: the two PyTorch runs overlap (most of their time is starting Python and torch). */
function runAsync(command: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env } });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(`${command} ${args.join(' ')} exited with ${code}:\n${stdout}\n${stderr}`));
    });
  });
}

const read = (path: string): SafetensorsFile => parseSafetensors(readFileSync(path), path);

/** Every tensor of `expected` (model and optimizer state) in `actual`, to `bound` relative to the tensor's scale. */
function sameTensors(actual: SafetensorsFile, expected: SafetensorsFile, bound: number, what: string, prefix = ''): void {
  let n = 0;
  for (const [name, t] of expected.tensors) {
    if (!name.startsWith(prefix)) continue;
    const a = actual.tensors.get(name);
    assert.ok(a, `${what}: no tensor ${name}`);
    const want = tensorToFloat64(t, name), got = tensorToFloat64(a, name);
    const d = compare(got, want);
    assert.ok(d.normwise <= bound, describeDiff(`${what} ${name}`, got, want, d));
    n++;
  }
  assert.ok(n > 0, `${what}: no tensors compared`);
}

test('DDP with 2 processes equals one process, recur evaluates and resumes its checkpoint', async (t) => {
  const missing = torchMissing();
  if (missing !== undefined) {
    t.skip(`needs PyTorch: ${missing}`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'recur-torch-ddp-'));
  try {
    const text = join(dir, 'tiny.txt');
    writeFileSync(text, readFileSync(join(ROOT, 'data', 'timemachine.txt'), 'utf8').slice(0, 3000));
    const options = ['--data', text, '--hidden', '16', '--embedding', '8', '--batch', '4', '--steps', '8', '--lr', '0.01', '--json'];
    const [ddpText, oneText] = await Promise.all([runAsync(PYTHON, ['-m', 'torch.distributed.run', '--redirects', '1', '--tee', '1', '--monitor_interval', '0.2',
      '--standalone', '--nproc_per_node', '2', TRAIN, ...options, '--epochs', '2', '--out', join(dir, 'ddp')],
    { GLOO_SOCKET_IFNAME: 'lo', OMP_NUM_THREADS: '1' }),
    runAsync(PYTHON, [TRAIN, ...options, '--epochs', '3', '--epoch-checkpoints', '--out', join(dir, 'one')])]);
    const ddpOut = epochs(ddpText), oneOut = epochs(oneText);
    assert.deepEqual(ddpOut.map((e) => [e.epoch, e.processes]), [[1, 2], [2, 2]], 'the DDP run: 2 epochs on 2 processes');
    assert.equal(ddpOut[1]!.step, oneOut[1]!.step, 'the same optimizer steps');

    // 1. DDP = one process with the same global batch: parameters and the optimizer's state
    const ddp = read(join(dir, 'ddp', 'checkpoint.safetensors'));
    sameTensors(ddp, read(join(dir, 'one', 'epoch-2.safetensors')), 1e-5, 'DDP vs one process');

    // 2. recur evaluates the DDP checkpoint to PyTorch's validation perplexity (the last 10%, B rows, T-step chunks)
    const k = jsKernels('float32');
    const { model, vocab } = loadLm(ddp, 'ddp checkpoint', k);
    const ids = vocab.encode(tokenize(readFileSync(text, 'utf8'), 'char', 'none'));
    const mine = evaluatePerplexity(model, ids.subarray(ids.length - Math.floor(ids.length * 0.1)), { steps: 8, rows: 4 }).perplexity;
    const theirs = ddpOut[1]!.valPerplexity;
    const err = Math.abs(mine - theirs) / theirs;
    t.diagnostic(`validation perplexity: recur ${mine}, PyTorch ${theirs}: relative error ${err.toExponential(2)}`);
    assert.ok(err <= 1e-4, `validation perplexity: recur ${mine}, PyTorch ${theirs}: relative error ${err.toExponential(2)}`);

    // 3. recur train --resume continues it: one more epoch = PyTorch's third epoch
    const resumed = join(dir, 'resumed');
    run(process.execPath, [RECUR, 'train', '--resume', join(dir, 'ddp', 'checkpoint.safetensors'), '--epochs', '3', '--out', resumed, '--sample', '0', '--backend', 'js']);
    const after = read(join(resumed, 'checkpoint.safetensors'));
    const state = JSON.parse(after.metadata['recur.train']!) as { step: number; epoch: number };
    assert.deepEqual([state.epoch, state.step], [3, oneOut[2]!.step], 'recur continued from epoch 2 to 3, step by step');
    sameTensors(after, read(join(dir, 'one', 'epoch-3.safetensors')), 1e-4, 'recur\'s resumed epoch vs PyTorch\'s third', '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
