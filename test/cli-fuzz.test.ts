// Property-based fuzzing of every file the CLI reads: valid files (a language-model checkpoint with
// recur.config and recur.train, `recur run`'s model, input and grad, a forecaster, a CSV, a corpus,
// a --json training log) mutated by fast-check (test/fuzz/mutate.ts), then given to the command
// that reads them. Every outcome must be a clean error (exit 1 with one line "recur <command>: ...",
// or a usage message with exit 2) or a success; never a stack trace, a hang, or exit 0 with NaN or
// Infinity in what it printed or wrote.
//
// Most cases run in-process (main(argv) in a worker thread that is ended when a case hangs); a
// sample runs through real `node bin/recur.js` processes, which must agree. RECUR_FUZZ_SCALE=5
// runs five times as many. The seed is fixed, so the suite tests the same cases each time (CI never
// fails on a rarely hit case); RECUR_FUZZ_SEED=N explores others, and a defect found that way gets
// its own test where the fix is.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { parseSafetensors, tensorToFloat64 } from '../src/format/safetensors.js';
import { Rng } from '../src/tensor/rng.js';
import { jsonLinesMutation, safetensorsMutation, textMutation, type Mutation } from './fuzz/mutate.js';
import type { FuzzCase, FuzzResult } from './fuzz/worker.js';
import { ROOT } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'recur-fuzz-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const SCALE = Number(process.env.RECUR_FUZZ_SCALE ?? 1);
const SEED = Number(process.env.RECUR_FUZZ_SEED ?? 1);
const LIMIT_MS = 20000; // a case normally takes milliseconds; this only catches hangs

// ------------------------------------------------------------------------------------------------
// Valid files, made by the CLI itself

function recurSync(args: string[]): { code: number | null; signal: string | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [`${ROOT}bin/recur.js`, ...args], { cwd: dir, encoding: 'utf8', timeout: 60000 });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

function validFiles() {
  const rng = new Rng(3);
  const words = 'the time traveller for so it will be convenient to speak of him was expounding a recondite matter'.split(' ');
  const corpus = join(dir, 'corpus.txt');
  writeFileSync(corpus, `${Array.from({ length: 120 }, () => words[rng.int(words.length)]).join(' ')}\n`);
  const lm = join(dir, 'lm');
  const train = recurSync(['train', '--data', corpus, '--hidden', '6', '--layers', '2', '--dropout', '0.1', '--batch', '2', '--steps', '6',
                           '--epochs', '2', '--val', '0.2', '--threads', '1', '--sample', '0', '--json', '--out', lm, '--checkpoint-every', '20']);
  assert.equal(train.code, 0, train.stderr);
  const csv = join(dir, 'series.csv');
  writeFileSync(csv, `month,sales,price\n${Array.from({ length: 48 }, (_, t) =>
    `${2000 + Math.floor(t / 12)}-${String((t % 12) + 1).padStart(2, '0')},${(100 + 10 * Math.sin(t / 2) + t).toFixed(2)},${(5 + Math.cos(t)).toFixed(3)}`).join('\n')}\n`);
  const ar = join(dir, 'ar.safetensors'), narx = join(dir, 'narx.safetensors');
  for (const [path, extra] of [[ar, ['--model', 'ar', '--lags', '3']], [narx, ['--model', 'narx', '--lags', '2', '--hidden', '3', '--epochs', '3', '--backend', 'js']]] as const) {
    const r = recurSync(['forecast', '--data', csv, '--column', 'sales', '--test', '6', ...extra, '--save', path]);
    assert.equal(r.code, 0, r.stderr);
  }
  const stack = (name: string) => {
    const d = `${ROOT}test/fixtures/stack/${name}`;
    return { model: readFileSync(`${d}/model.safetensors`), input: readFileSync(`${d}/input.safetensors`), grad: readFileSync(`${d}/grad.safetensors`) };
  };
  return {
    corpus, csv, lmCheckpoint: readFileSync(join(lm, 'checkpoint.safetensors')), log: Buffer.from(train.stdout),
    ar: readFileSync(ar), narx: readFileSync(narx),
    stacks: [stack('lstm-l2-bi-len-h0c0'), stack('gru-after-l2-bi-len-h0-i32'), stack('rnn-tanh-l1')],
  };
}

// ------------------------------------------------------------------------------------------------
// What each command reads, and what its success must not contain

interface Target {
  name: string;
  count: number;
  mutation: fc.Arbitrary<Mutation>;
  valid: Uint8Array;
  /** argv with the mutated file at `file` and a fresh output path `out` */
  argv(file: string, out: string): string[];
  /** what to scan for NaN/Infinity after a success: printed text, or the files written */
  scan: 'printed' | 'none';
  output?: 'safetensors' | 'text';
}

function targets(v: ReturnType<typeof validFiles>): Target[] {
  const st = safetensorsMutation();
  const lm = ['--threads', '1'];
  const list: Target[] = [];
  v.stacks.forEach((s, i) => {
    const files = (role: 'model' | 'input' | 'grad', file: string) => {
      const path = (r: 'model' | 'input' | 'grad') => (r === role ? file : join(dir, `stack${i}-${r}.safetensors`));
      return ['--model', path('model'), '--input', path('input'), '--grad', path('grad')];
    };
    for (const role of ['model', 'input', 'grad'] as const) {
      writeFileSync(join(dir, `stack${i}-${role}.safetensors`), s[role]);
      list.push({ name: `run --${role} (${i})`, count: 90, mutation: st, valid: s[role], scan: 'printed', output: 'safetensors',
                  argv: (file, out) => ['run', ...files(role, file), '--out', out] });
    }
  });
  // gradients measures full-length sequences: fixtures without lengths
  for (const name of ['rnn-tanh-l1', 'lstm-l1']) {
    const d = `${ROOT}test/fixtures/stack/${name}`;
    for (const [role, other] of [['model', 'input'], ['input', 'model']] as const) {
      list.push({ name: `gradients --${role} (${name})`, count: 40, mutation: st, valid: readFileSync(`${d}/${role}.safetensors`), scan: 'printed',
                  argv: (file) => ['gradients', `--${role}`, file, `--${other}`, `${d}/${other}.safetensors`] });
    }
  }
  list.push(
    { name: 'eval --checkpoint', count: 220, mutation: st, valid: v.lmCheckpoint, scan: 'printed', argv: (f) => ['eval', '--checkpoint', f, '--text', v.corpus, ...lm] },
    { name: 'generate --checkpoint', count: 120, mutation: st, valid: v.lmCheckpoint, scan: 'none', argv: (f) => ['generate', '--checkpoint', f, '--length', '12', '--seed', '1', ...lm] },
    { name: 'inspect', count: 120, mutation: st, valid: v.lmCheckpoint, scan: 'none', argv: (f) => ['inspect', f] },
    { name: 'train --resume', count: 160, mutation: st, valid: v.lmCheckpoint, scan: 'printed',
      argv: (f, out) => ['train', '--resume', f, '--epochs', '3', '--out', out, '--sample', '0', '--time', '2', ...lm] },
    { name: 'train --data', count: 100, mutation: textMutation(), valid: readFileSync(v.corpus), scan: 'printed',
      argv: (f, out) => ['train', '--data', f, '--hidden', '4', '--batch', '2', '--steps', '5', '--epochs', '1', '--sample', '8', '--out', out, ...lm] },
    { name: 'forecast --data (AR)', count: 260, mutation: textMutation(), valid: readFileSync(v.csv), scan: 'printed',
      argv: (f) => ['forecast', '--data', f, '--column', 'sales', '--test', '6', '--lags', '2', '--backend', 'js'] },
    { name: 'forecast --data --exog --log --interpolate', count: 120, mutation: textMutation(), valid: readFileSync(v.csv), scan: 'printed',
      argv: (f) => ['forecast', '--data', f, '--column', 'sales', '--exog', 'price', '--log', '--interpolate', '--test', '6', '--model', 'narx',
                    '--lags', '2', '--hidden', '2', '--epochs', '2', '--backend', 'js'] },
    { name: 'forecast --load (AR)', count: 120, mutation: st, valid: v.ar, scan: 'printed',
      argv: (f) => ['forecast', '--data', v.csv, '--column', 'sales', '--test', '6', '--load', f, '--backend', 'js'] },
    { name: 'forecast --load (NARX)', count: 100, mutation: st, valid: v.narx, scan: 'printed',
      argv: (f) => ['forecast', '--data', v.csv, '--column', 'sales', '--test', '6', '--load', f, '--backend', 'js'] },
    { name: 'plot-train --log', count: 220, mutation: jsonLinesMutation(), valid: v.log, scan: 'printed', output: 'text',
      argv: (f, out) => ['plot-train', '--log', f, '--out', out] },
  );
  return list.map((t) => ({ ...t, count: Math.round(t.count * SCALE) }));
}

// ------------------------------------------------------------------------------------------------
// Running cases in a worker, with a time limit

class InProcess {
  private worker: Worker | undefined;
  private settle: ((r: FuzzResult | string) => void) | undefined;

  private async start(): Promise<void> {
    const w = new Worker(new URL('./fuzz/worker.js', import.meta.url));
    await new Promise<void>((resolve, reject) => {
      w.once('message', (m) => (m === 'ready' ? resolve() : reject(new Error(`worker: ${String(m)}`))));
      w.once('error', reject);
    });
    w.on('message', (m: FuzzResult) => this.settle?.(m));
    w.on('error', (e) => this.settle?.(`the worker died: ${e.stack ?? e.message}`));
    w.on('exit', (code) => { this.worker = undefined; this.settle?.(`the worker exited (${code}): process.exit inside a command?`); });
    this.worker = w;
  }

  async run(c: FuzzCase): Promise<FuzzResult | string> {
    if (!this.worker) await this.start();
    const w = this.worker!;
    const result = await new Promise<FuzzResult | string>((resolve) => {
      const timer = setTimeout(() => resolve(`hang: no answer within ${LIMIT_MS / 1000} s`), LIMIT_MS);
      this.settle = (r) => { clearTimeout(timer); resolve(r); };
      w.postMessage(c);
    });
    this.settle = undefined;
    if (typeof result === 'string' && this.worker) { await this.worker.terminate(); this.worker = undefined; }
    return result;
  }

  async close(): Promise<void> { await this.worker?.terminate(); }
}

// a printed number, not a user's label such as a date "-Infinity-07"
const NON_FINITE = /(?<![\w.-])(?:NaN|-?Infinity)(?![\w-])/;
const STACK = /\n\s+at .*:\d+:\d+\)?/;

/** The problem with an outcome, or undefined when it is a clean error or a clean success. */
function problem(t: Target, r: { code: number | null; stdout: string; stderr: string; thrown?: string | undefined }, out: string): string | undefined {
  if (r.thrown !== undefined) return `stack trace: ${r.thrown.split('\n')[0]}`;
  if (STACK.test(r.stderr)) return `stack trace: ${r.stderr.trim().split('\n').find((l) => !/^\s+at /.test(l))}`;
  if (r.code === 1) {
    // train prints what it is about to do before it fails: the error is the last line
    const lines = r.stderr.trim().split('\n');
    if (!lines.at(-1)!.startsWith('recur ')) return `exit 1 without a last line "recur ...": ${r.stderr.trim().slice(-200)}`;
    if (t.name.split(' ')[0] !== 'train' && lines.length !== 1) return `exit 1 with ${lines.length} lines on stderr: ${r.stderr.trim().slice(0, 200)}`;
    return undefined;
  }
  if (r.code === 2) return r.stderr.startsWith('recur ') ? undefined : `exit 2 without a usage message: ${r.stderr.slice(0, 200)}`;
  if (r.code !== 0) return `exit ${r.code}: ${r.stderr.trim().slice(0, 200)}`;
  if (t.scan === 'printed' && NON_FINITE.test(r.stdout + r.stderr)) {
    const line = (r.stdout + r.stderr).split('\n').find((l) => NON_FINITE.test(l))!;
    return `exit 0 with a non-finite number printed: ${line.trim().slice(0, 160)}`;
  }
  if (t.output === 'safetensors' && existsSync(out)) {
    const file = parseSafetensors(readFileSync(out), out);
    for (const [name, tensor] of file.tensors) {
      if (!tensorToFloat64(tensor, name).every(Number.isFinite)) return `exit 0 with non-finite values in the output tensor ${name}`;
    }
  }
  if (t.output === 'text' && existsSync(out) && NON_FINITE.test(readFileSync(out, 'utf8'))) return 'exit 0 with NaN or Infinity in the written file';
  return undefined;
}

/** A defect's kind without the numbers and paths that vary from case to case. */
const signature = (t: Target, p: string) => `${t.name.replace(/ \([^)]*\)$/, '')}: ${p.replace(/\/tmp\/\S+/g, 'FILE').replace(/-?\d+(\.\d+)?(e[-+]?\d+)?/g, 'N').slice(0, 140)}`;

/** Defects by kind, with a count and the first example of each. */
class Defects {
  readonly kinds = new Map<string, { count: number; example: string }>();
  add(t: Target, p: string, what: string, argv: string[]): void {
    const key = signature(t, p);
    const d = this.kinds.get(key);
    if (d) d.count++;
    else this.kinds.set(key, { count: 1, example: `${p}\n      mutation: ${what}\n      recur ${argv.join(' ')}` });
  }
  report(): string { return [...this.kinds].map(([key, d]) => `  ${d.count}× ${key}\n    e.g. ${d.example}`).join('\n'); }
}

interface Sampled { t: Target; file: string; bytes: Uint8Array; what: string; code: number | null }

/** The command's output path: a folder for train (--out DIR), else a file that must not exist yet. */
function outPath(t: Target, base: string): string {
  const out = `${base}.out`;
  if (t.argv(base, out).includes('--out') && !t.output) mkdirSync(out, { recursive: true });
  return out;
}

/** Every target's mutations in-process; returns the counts, a line per target, and a sample to rerun. */
async function runInProcess(all: Target[], defects: Defects) {
  const runner = new InProcess();
  const tally = { total: 0, errors: 0, successes: 0, lines: [] as string[], sample: [] as Sampled[] };
  let id = 0;
  try {
    for (const [ti, t] of all.entries()) {
      const started = Date.now();
      const before = { ...tally };
      for (const m of fc.sample(t.mutation, { seed: SEED + ti, numRuns: t.count })) {
        const file = join(dir, `case-${id}.in`);
        const out = outPath(t, file);
        let bytes: Uint8Array;
        try { bytes = m.apply(t.valid); } catch (e) { throw new Error(`the mutation "${m.what}" failed on ${t.name}: ${(e as Error).stack}`); }
        const c: FuzzCase = { id: id++, files: [[file, bytes]], argv: t.argv(file, out) };
        const r = await runner.run(c);
        tally.total++;
        const p = typeof r === 'string' ? r : problem(t, r, out);
        if (p) defects.add(t, p, m.what, c.argv);
        else if (typeof r !== 'string') (r.code === 0 ? tally.successes++ : tally.errors++);
        if (typeof r !== 'string' && id % 150 === 7) tally.sample.push({ t, file, bytes, what: m.what, code: r.code });
        rmSync(file, { force: true }); rmSync(out, { recursive: true, force: true });
      }
      tally.lines.push(`${t.name}: ${tally.errors - before.errors} errors, ${tally.successes - before.successes} successes, ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
  } finally {
    await runner.close();
  }
  return tally;
}

/** The sample again through real processes: a clean outcome, and the same exit code as in-process. */
function runProcesses(sample: Sampled[], defects: Defects): void {
  for (const { t, file, bytes, what, code } of sample) {
    writeFileSync(file, bytes);
    const out = outPath(t, file);
    const argv = t.argv(file, out);
    const r = recurSync(argv);
    const p = r.signal ? `killed by ${r.signal}` : problem(t, r, out);
    if (p) defects.add(t, `(process) ${p}`, what, argv);
    else if (r.code !== code) defects.add(t, `(process) exit ${r.code}, in-process ${code}: ${r.stderr.trim().slice(0, 120)}`, what, argv);
    rmSync(file, { force: true }); rmSync(out, { recursive: true, force: true });
  }
}

test('fuzz: mutated checkpoints, stacks, forecasters, CSVs, corpora and logs give a clean error or a clean success', async () => {
  const defects = new Defects();
  const r = await runInProcess(targets(validFiles()), defects);
  runProcesses(r.sample, defects);
  process.stdout.write(`# fuzz: ${r.total} mutated inputs in-process (${r.errors} clean errors, ${r.successes} successes), ${r.sample.length} through processes; RECUR_FUZZ_SEED=${SEED}\n# ${r.lines.join('\n# ')}\n`);
  assert.ok(r.total >= 2000 * Math.min(1, SCALE), `only ${r.total} cases`);
  assert.equal(defects.kinds.size, 0, `${defects.kinds.size} kinds of defect (RECUR_FUZZ_SEED=${SEED}):\n${defects.report()}`);
});
