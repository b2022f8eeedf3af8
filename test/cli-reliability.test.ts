// What a user's bad luck or mistake must not do: lose the best model on --resume, ignore SIGTERM,
// leave temporary files or empty folders, read /dev/zero forever, write over a link or a device,
// let two runs write one folder, call a diverged run "done", or print a stack trace.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parseSafetensors } from '../src/format/safetensors.js';
import { bytesOf, editable, ROOT } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'recur-rel-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function recur(...args: string[]) {
  const r = spawnSync(process.execPath, [`${ROOT}bin/recur.js`, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr, signal: r.signal };
}
const SMALL = ['--hidden', '8', '--max-tokens', '3000', '--batch', '4', '--steps', '10', '--seed', '1', '--backend', 'js', '--sample', '0'];
const jsonLines = (out: string) => out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
const trainState = (path: string) => JSON.parse(parseSafetensors(readFileSync(path), path).metadata['recur.train']!) as Record<string, unknown>;

/** One line on stderr, no stack trace, this exit code, and the message matches. */
function fails(r: ReturnType<typeof recur>, code: number, message: RegExp): void {
  assert.equal(r.code, code, `exit ${r.code} (${r.signal ?? ''}), expected ${code}: ${r.err}`);
  assert.doesNotMatch(r.err, /^\s+at |node:internal/m, r.err);
  const lines = r.err.replace(/\n$/, '').split('\n').filter((l) => !/^(training|resuming|adam|sgd) /.test(l));
  assert.equal(lines.length, code === 2 ? 2 : 1, r.err);
  assert.match(lines[0]!, message);
}

test('--resume remembers the best model: a worse epoch after resuming does not replace best.safetensors', () => {
  // adam at lr 3 overshoots: validation perplexity 200 after epoch 1, far worse after epoch 2
  const out = join(dir, 'best');
  const args = [...SMALL, '--lr', '3', '--clip', '0', '--out', out, '--json'];
  const first = recur('train', ...args, '--epochs', '1');
  assert.equal(first.code, 0, first.err);
  const bestBytes = readFileSync(join(out, 'best.safetensors'));
  const firstVal = jsonLines(first.out).find((l) => l.event === 'epoch')!.valPerplexity as number;
  const rest = recur('train', '--resume', join(out, 'checkpoint.safetensors'), '--epochs', '2', '--out', out, '--json', '--sample', '0', '--backend', 'js');
  assert.equal(rest.code, 0, rest.err);
  const lines = jsonLines(rest.out);
  const secondVal = lines.find((l) => l.event === 'epoch')!.valPerplexity as number;
  assert.ok(secondVal > firstVal, `the setup needs epoch 2 to be worse: ${firstVal} then ${secondVal}`);
  assert.deepEqual(readFileSync(join(out, 'best.safetensors')), bestBytes, 'best.safetensors was replaced by a worse model');
  assert.deepEqual(lines.at(-1)!.best, { valPerplexity: firstVal, epoch: 1, path: join(out, 'best.safetensors') });
  assert.equal(trainState(join(out, 'checkpoint.safetensors')).bestEpoch, 1);
});

test('SIGTERM saves a checkpoint like Ctrl-C and exits 143', async () => {
  const out = join(dir, 'sigterm');
  const child = spawn(process.execPath, [`${ROOT}bin/recur.js`, 'train', ...SMALL, '--epochs', '1000', '--out', out, '--json', '--checkpoint-every', '100000'], { cwd: ROOT });
  let text = '';
  let sent = false;
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (d: string) => {
    text += d;
    if (!sent && text.includes('"event":"step"')) { sent = true; child.kill('SIGTERM'); }
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  assert.equal(code, 143);
  const lines = jsonLines(text);
  assert.ok(lines.some((l) => l.event === 'note' && /terminated: saving a checkpoint/.test(l.message as string)));
  assert.equal(lines.at(-1)!.outcome, 'stopped');
  assert.ok((trainState(join(out, 'checkpoint.safetensors')).step as number) >= 1);
  assert.ok(!existsSync(join(out, '.recur.lock')), 'the lock is released');
});

test('a resumed run removes the temporary files a killed write left, and only those', () => {
  const out = join(dir, 'stale');
  mkdirSync(out, { recursive: true });
  const ours = ['.checkpoint.safetensors.0badf00d.tmp', '.best.safetensors.12345678.tmp', '.recur-probe.93f03d8d.tmp'];
  const theirs = ['.notes.txt.0badf00d.tmp', '.checkpoint.safetensors.tmp', 'checkpoint.safetensors.0badf00d.tmp'];
  for (const name of [...ours, ...theirs]) writeFileSync(join(out, name), 'partial');
  const r = recur('train', ...SMALL, '--epochs', '1', '--out', out);
  assert.equal(r.code, 0, r.err);
  const left = readdirSync(out);
  for (const name of ours) assert.ok(!left.includes(name), `${name} is still there`);
  for (const name of theirs) assert.ok(left.includes(name), `${name} was removed`);
});

test('two runs on one --out: a live lock is refused naming its pid; a dead one is taken over', () => {
  const out = join(dir, 'locked');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, '.recur.lock'), `${process.pid}\n`); // this test process: alive
  fails(recur('train', ...SMALL, '--epochs', '1', '--out', out), 1, new RegExp(`another recur run \\(pid ${process.pid}\\) is writing there`));
  assert.ok(!existsSync(join(out, 'checkpoint.safetensors')));
  const dead = spawnSync(process.execPath, ['-e', '0']).pid!; // exited: its pid is free
  writeFileSync(join(out, '.recur.lock'), `${dead}\n`);
  const r = recur('train', ...SMALL, '--epochs', '1', '--out', out);
  assert.equal(r.code, 0, r.err);
  assert.ok(existsSync(join(out, 'checkpoint.safetensors')));
  assert.ok(!existsSync(join(out, '.recur.lock')));
});

test('--resume checks recur.train and recur.data: one line for a missing, retyped or fractional field, or another corpus', () => {
  const corpus = join(dir, 'corpus.txt');
  writeFileSync(corpus, readFileSync(`${ROOT}data/timemachine.txt`, 'utf8').slice(0, 5000));
  const out = join(dir, 'meta');
  assert.equal(recur('train', ...SMALL, '--data', corpus, '--epochs', '1', '--out', out).code, 0);
  const ck = editable(join(out, 'checkpoint.safetensors'));
  const edited = (key: 'recur.train' | 'recur.data', f: (o: Record<string, unknown>) => void) => {
    const o = JSON.parse(ck.metadata[key]!) as Record<string, unknown>;
    f(o);
    const path = join(dir, `edited-${Math.random().toString(16).slice(2)}.safetensors`);
    writeFileSync(path, bytesOf({ tensors: ck.tensors, metadata: { ...ck.metadata, [key]: JSON.stringify(o) } }));
    return recur('train', '--resume', path, '--epochs', '2', '--out', join(dir, 'meta2'), '--backend', 'js');
  };
  fails(edited('recur.train', (o) => { delete o.step; }), 1, /"recur.train" step: expected an integer ≥ 0, got nothing/);
  fails(edited('recur.train', (o) => { o.epoch = 1.5; }), 1, /"recur.train" epoch: expected an integer ≥ 0, got 1.5/);
  fails(edited('recur.train', (o) => { o.dataRng = 'x'; }), 1, /"recur.train" dataRng: expected an Rng state/);
  fails(edited('recur.train', (o) => { (o.options as Record<string, unknown>).batch = '4'; }), 1, /"recur.train" options.batch: expected an integer ≥ 1, got "4"/);
  fails(edited('recur.data', (o) => { o.tokens = 3; }), 1, /"recur.data" tokens: expected char or word, got 3/);
  assert.ok(!existsSync(join(dir, 'meta2')), 'a refused resume creates no folder');
  // the corpus file changed since: refused, not trained on silently
  writeFileSync(corpus, readFileSync(`${ROOT}data/timemachine.txt`, 'utf8').slice(5000, 10000));
  fails(recur('train', '--resume', join(out, 'checkpoint.safetensors'), '--epochs', '2', '--out', out, '--backend', 'js'), 1,
    /the run trained on .*corpus\.txt, which now holds other text/);
});

test('an endless or non-regular file is refused at once: corpus, CSV, checkpoint, run input', () => {
  const fifo = join(dir, 'fifo');
  spawnSync('mkfifo', [fifo]);
  for (const source of ['/dev/zero', ...(existsSync(fifo) ? [fifo] : [])]) {
    fails(recur('train', '--data', source, '--backend', 'js', '--out', join(dir, 'z')), 1, new RegExp(`--data ${source}: cannot read the file \\((a device|a pipe), not a regular file\\)`));
    fails(recur('forecast', '--data', source), 1, /--data .*not a regular file/);
    fails(recur('generate', '--checkpoint', source), 1, /--checkpoint .*not a regular file/);
    fails(recur('train', '--resume', source), 1, /--resume .*not a regular file/);
    fails(recur('run', '--model', `${ROOT}examples/model.safetensors`, '--input', source, '--out', join(dir, 'o.safetensors')), 1, /--input .*not a regular file/);
  }
});

test('a file larger than recur reads is refused before reading it (a sparse 600 MiB corpus)', (t) => {
  const big = join(dir, 'big.txt');
  const r = spawnSync('truncate', ['-s', '600M', big]);
  if (r.status !== 0) { t.skip('truncate is not available to make a sparse file'); return; }
  fails(recur('train', '--data', big, '--backend', 'js', '--out', join(dir, 'big')), 1, /--data .*big\.txt: cannot read the file \(larger than 512 MiB, the most recur reads\)/);
  rmSync(big);
});

test('outputs: a file at --out, a file above it, a link or a pipe at an output path: refused before work, nothing replaced', () => {
  const file = join(dir, 'a-file');
  writeFileSync(file, 'keep');
  fails(recur('train', ...SMALL, '--out', file), 1, /--out .*a-file: cannot write there \(a file is there; expected a folder\)/);
  fails(recur('train', ...SMALL, '--out', join(file, 'run')), 1, /--out .*a-file\/run: cannot write there \(a parent is not a directory\)/);
  assert.equal(readFileSync(file, 'utf8'), 'keep');
  // run --out at a symbolic link and at a pipe: both stay as they were
  const link = join(dir, 'link.safetensors');
  symlinkSync(file, link);
  const args = ['run', '--model', `${ROOT}test/fixtures/stack/lstm-l2-bi-len-h0c0/model.safetensors`, '--input', `${ROOT}test/fixtures/stack/lstm-l2-bi-len-h0c0/input.safetensors`];
  fails(recur(...args, '--out', link), 1, /--out .*link\.safetensors: cannot write the file \(a symbolic link is there; recur replaces regular files only\)/);
  assert.equal(readlinkSync(link), file);
  // a link where train's checkpoint goes: refused before training, the link kept
  const linked = join(dir, 'linked-run');
  mkdirSync(linked);
  symlinkSync(file, join(linked, 'checkpoint.safetensors'));
  const t = recur('train', ...SMALL, '--out', linked);
  fails(t, 1, /--out .*linked-run: cannot write there \(.*checkpoint\.safetensors is not a regular file; recur replaces regular files only\)/);
  assert.doesNotMatch(t.err, /epoch 1/);
  assert.equal(readlinkSync(join(linked, 'checkpoint.safetensors')), file);
  const fifo = join(dir, 'out-fifo');
  spawnSync('mkfifo', [fifo]);
  if (existsSync(fifo)) fails(recur(...args, '--out', fifo), 1, /a pipe is there; recur replaces regular files only/);
  else process.stdout.write('# skipped the pipe case: mkfifo is not available\n');
});

test('a read-only --out folder is found before training', (t) => {
  // root may write anywhere: as root, run recur as the user nobody (setpriv), where that user can
  const asNobody = process.getuid?.() === 0 ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] : [];
  const run = (...args: string[]) => {
    const [cmd, ...rest] = [...asNobody, process.execPath, `${ROOT}bin/recur.js`, ...args];
    const r = spawnSync(cmd!, rest, { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    return { code: r.status, out: r.stdout, err: r.stderr, signal: r.signal };
  };
  if (asNobody.length > 0) {
    const probe = run('--version');
    if (probe.code !== 0) { t.skip(`running as root, and the user nobody cannot run recur here (${(probe.err || 'no setpriv').trim().split('\n')[0]})`); return; }
  }
  const ro = join(dir, 'ro');
  mkdirSync(ro);
  spawnSync('chmod', ['711', dir]);
  spawnSync('chmod', ['555', ro]);
  const r = run('train', ...SMALL, '--out', join(ro, 'run'));
  fails(r, 1, /--out .*ro\/run: cannot write there \(permission denied\)/);
  assert.doesNotMatch(r.err, /epoch 1/);
});

test('a failed run leaves no folder it created; forecast --save leaves no model when --plot fails', () => {
  const out = join(dir, 'new', 'deeper');
  fails(recur('train', ...SMALL, '--lr', '1e9', '--clip', '0', '--out', out), 1, /training diverged/);
  assert.ok(!existsSync(join(dir, 'new')), 'the folders it made are gone');
  const save = join(dir, 'm.safetensors');
  fails(recur('forecast', '--save', save, '--plot', join(dir, 'no-such', 'p.svg')), 1, /--plot .*: cannot write the file/);
  assert.ok(!existsSync(save), 'the model was saved although the command failed');
});

test('divergence: an exploded finite loss stops the run with the step, exit 1, and only a checkpoint from before it', () => {
  // --lr 1e9: the loss is finite (about 2.6e9) but exploded at step 2; nothing was saved before it
  const out = join(dir, 'div');
  const r = recur('train', ...SMALL, '--lr', '1e9', '--clip', '0', '--checkpoint-every', '1', '--out', out);
  fails(r, 1, /training diverged at step 2 \(epoch 1\): the loss .* is above 41\.\d+, 10 times that of a trivial guess; no checkpoint had been written before it/);
  assert.doesNotMatch(r.err, /done|last good checkpoint is kept/);
  assert.ok(!existsSync(join(out, 'checkpoint.safetensors')));
  // adam at lr 5 diverges at step 6: the checkpoint kept is step 4's (step 5's model is the one that diverged)
  const later = recur('train', ...SMALL, '--lr', '5', '--clip', '0', '--checkpoint-every', '1', '--out', out);
  fails(later, 1, /training diverged at step 6 .*the last checkpoint written before it \(step 4\) is kept: .*checkpoint\.safetensors/);
  assert.equal(trainState(join(out, 'checkpoint.safetensors')).step, 4);
  const ev = recur('eval', '--checkpoint', join(out, 'checkpoint.safetensors'), '--text', 'timemachine', '--backend', 'js', '--json');
  assert.equal(ev.code, 0, ev.err);
  assert.ok(Number.isFinite((JSON.parse(ev.out) as { perplexity: number }).perplexity));
});

test('--on-nan skip: skipped steps are counted, and an epoch that skipped most of its steps fails', () => {
  const r = recur('train', ...SMALL, '--lr', '10', '--clip', '0', '--on-nan', 'skip', '--epochs', '1', '--out', join(dir, 'skip'));
  fails(r, 1, /training diverged at step \d+ \(epoch 1\): (\d+) of the epoch's (\d+) steps were skipped/);
  assert.doesNotMatch(r.err, /done|perplexity 1\.000/);
});

test('eval of a diverged model and run with overflowing gradients: an error, not Infinity with exit 0', () => {
  const ck = editable(join(dir, 'div', 'checkpoint.safetensors'));
  const bias = ck.tensors.find((t) => t.name === 'head.bias')!;
  (bias.data as Float32Array)[0] = 3e38; // every other token's logit is 3e38 below: the loss overflows
  const broken = join(dir, 'broken.safetensors');
  writeFileSync(broken, bytesOf(ck));
  fails(recur('eval', '--checkpoint', broken, '--text', 'timemachine', '--backend', 'js'), 1, /the perplexity on timemachine is not finite .*diverged/);
  // dy of 3e38: the gradients of the stack overflow float32
  const fixture = `${ROOT}test/fixtures/stack/lstm-l2-bi-len-h0c0`;
  const grad = editable(`${fixture}/grad.safetensors`);
  for (const t of grad.tensors) (t.data as Float32Array).fill(3e38);
  writeFileSync(join(dir, 'grad-inf.safetensors'), bytesOf(grad));
  const out = join(dir, 'run-out.safetensors');
  fails(recur('run', '--model', `${fixture}/model.safetensors`, '--input', `${fixture}/input.safetensors`, '--grad', join(dir, 'grad-inf.safetensors'),
              '--out', out, '--dtype', 'float32'), 1, /--out .*run-out\.safetensors: tensor ".*" is not finite .*nothing written/);
  assert.ok(!existsSync(out));
});

test('arguments: negative numbers get recur\'s own range message, exit 2; --version; a too-short corpus; absurd sizes on js', () => {
  fails(recur('train', '--lr', '-1'), 2, /--lr: expected a number > 0, got "-1"/);
  fails(recur('forecast', '--lags', '-3'), 2, /--lags: expected an integer ≥ 0 or a comma-separated list of them, got "-3"/);
  fails(recur('task', 'adding', '--cell', 'lstm', '--steps', '10', '--clip', '-2'), 2, /--clip: expected a number ≥ 0 \(0 = off\), got "-2"/);
  const version = (JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { version: string }).version;
  for (const flag of ['--version', '-V']) {
    const v = recur(flag);
    assert.equal(v.code, 0);
    assert.equal(v.out, `recur ${version}\n`);
  }
  const short = recur('train', '--max-tokens', '20', '--backend', 'js', '--out', join(dir, 'short'));
  fails(short, 1, /--data timemachine: 18 training tokens are too few for one minibatch of --batch 32 × --steps 35 \(1156 tokens\)/);
  assert.doesNotMatch(short.err, /-1 minibatches/);
  assert.ok(!existsSync(join(dir, 'short')));
  for (const args of [['train', '--hidden', '100000000'], ['task', 'adding', '--cell', 'lstm', '--steps', '10', '--hidden', '100000000'],
                      ['gradients', '--cell', 'rnn', '--steps', '3', '--hidden', '100000000'], ['forecast', '--model', 'lstm', '--hidden', '100000000'],
                      ['bench', '--hidden', '100000000']]) {
    fails(recur(...args, '--backend', 'js'), 2, /the run would need about .* values .* more than the 4 GiB recur's kernels hold/);
  }
});

test('small outputs: table numbers never glue together; no tok/s for an epoch too short to time; a one-row CSV', () => {
  // gradient norms from 2 down to 1e-307: every number in the table is its own column
  const g = recur('gradients', '--cell', 'rnn', '--hidden', '4', '--steps', '300', '--radius', '0.05', '--backend', 'js');
  assert.equal(g.code, 0, g.err);
  const row = g.out.split('\n').find((l) => l.startsWith('rnn (tanh) ρ=0.05') && l.includes('e-'))!;
  for (const field of row.replace('rnn (tanh) ρ=0.05', '').trim().split(/\s+/)) assert.ok(Number.isFinite(Number(field)), `"${field}" in: ${row}`);
  // 24 tokens of training, one minibatch: the epoch takes far less than 0.1 s
  const t = recur('train', '--max-tokens', '60', '--batch', '1', '--steps', '5', '--hidden', '4', '--epochs', '1', '--backend', 'js', '--sample', '0', '--out', join(dir, 'tiny'));
  assert.equal(t.code, 0, t.err);
  const epoch = t.err.split('\n').find((l) => l.startsWith('epoch 1/1'))!;
  if (/\(0\.0 s/.test(epoch)) assert.doesNotMatch(epoch, /tok\/s/, epoch);
  const csv = join(dir, 'one.csv');
  writeFileSync(csv, 'month,value\n2020-01,5\n');
  fails(recur('forecast', '--data', csv), 1, /--data .*one\.csv: 1 value; a forecast needs at least 2/);
});

test('bench --quick never writes the recorded BENCHMARKS.md', () => {
  const before = readFileSync(`${ROOT}BENCHMARKS.md`);
  const r = spawnSync(process.execPath, [`${ROOT}bench/run.mjs`, '--no-build', '--quick', '--out', 'BENCHMARKS.md'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /a --quick run does not write the recorded BENCHMARKS\.md; give another --out \(default .*recur-BENCHMARKS-quick\.md\)/);
  assert.deepEqual(readFileSync(`${ROOT}BENCHMARKS.md`), before);
});
