// recur as a web app gets it: `npm pack`, a Vite app (test/web-app/, the recipe of docs/web.md) that
// installs the tarball offline and is built by the repository's Vite, served on 127.0.0.1 and opened
// in Debian's Chromium. Cross-origin isolated, the app's Worker runs the kernels on more than one
// thread (gemms cut between threads, equal to the plain TypeScript kernels) and fetches a corpus
// through `recur/data/*`. Not isolated, or without createWorker, loadKernels falls back to one
// thread and says why, without throwing. Without Chromium this test fails (it says how to install it).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, requireChromium, ROOT, serve } from './web/harness.js';

interface Result {
  error?: string;
  isolated: boolean; workerIsolated: boolean; name: string; threads: number; parallelCalls: number;
  fallback: string | null; warnings: string[]; maxDiff: number; cores: number; corpusLength: number; corpusStart: string;
}

const dir = mkdtempSync(join(tmpdir(), 'recur-web-app-'));
const app = join(dir, 'app');
const servers: Awaited<ReturnType<typeof serve>>[] = [];
let browser: Browser | undefined;
let isolatedUrl: string;
let plainUrl: string;

function run(cmd: string, args: string[], cwd: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8' });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

before(async () => {
  requireChromium();
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const tarball = run(npm, ['pack', '--pack-destination', dir, '--ignore-scripts', '--silent'], ROOT).trim().split('\n').pop()!;
  mkdirSync(app);
  cpSync(join(ROOT, 'test', 'web-app'), app, { recursive: true });
  const manifest = { name: 'recur-web-app', private: true, type: 'module', dependencies: { recur: `file:../${tarball}` } };
  writeFileSync(join(app, 'package.json'), JSON.stringify(manifest));
  writeFileSync(join(app, 'package-lock.json'), JSON.stringify(appLock(manifest, tarball)));
  // without the network: recur's dependencies come from npm's cache, which `npm ci` filled
  run(npm, ['ci', '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], app);
  run(process.execPath, [join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'warn'], app);
  const isolated = await serve(join(app, 'dist'));
  const plain = await serve(join(app, 'dist'), false);
  servers.push(isolated, plain);
  isolatedUrl = isolated.url;
  plainUrl = plain.url;
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
  for (const s of servers) await s.close();
  rmSync(dir, { recursive: true, force: true });
});

type LockEntry = { version?: string; dependencies?: Record<string, string>; [k: string]: unknown };

/**
 * The app's package-lock.json: recur from the tarball, and recur's dependencies (protobufjs and
 * what it needs) pinned to the versions and integrities of the repository's own lock. npm installs
 * a locked package from its cache by integrity; without a lock it would ask the registry for each
 * package's versions, which `npm ci` never cached.
 */
function appLock(manifest: { name: string; dependencies: Record<string, string> }, tarball: string): unknown {
  const repo = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const own = repo.packages['']!;
  const packages: Record<string, LockEntry> = {
    '': { name: manifest.name, dependencies: manifest.dependencies },
    'node_modules/recur': { version: own.version!, resolved: `file:../${tarball}`, dependencies: own.dependencies ?? {} },
  };
  const queue = Object.keys(own.dependencies ?? {});
  while (queue.length > 0) {
    const name = queue.shift()!;
    const key = `node_modules/${name}`;
    if (packages[key]) continue;
    const entry = repo.packages[key];
    assert.ok(entry, `recur's dependency ${name} is not hoisted in package-lock.json`);
    const { dev: _dev, devOptional: _devOptional, peer: _peer, ...kept } = entry;
    packages[key] = kept;
    queue.push(...Object.keys(entry.dependencies ?? {}));
  }
  return { name: manifest.name, lockfileVersion: 3, requires: true, packages };
}

/** Open the app at url and wait for its Worker's report. */
async function open(url: string): Promise<Result> {
  const page = await browser!.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  try {
    await page.goto(url);
    const handle = await page.waitForFunction(() => (window as unknown as { result?: unknown }).result, undefined, { timeout: 30_000 });
    const r = await handle.jsonValue() as Result;
    assert.equal(r.error, undefined, `the app's Worker failed: ${r.error}`);
    assert.deepEqual(errors, [], 'no uncaught errors in the page');
    return r;
  } finally {
    await page.close();
  }
}

/** The corpus came through `recur/data/*` whole, and the kernels computed what the js kernels do. */
function assertWorked(r: Result): void {
  const corpus = readFileSync(join(ROOT, 'data', 'timemachine.txt'), 'utf8');
  assert.equal(r.corpusLength, corpus.length);
  assert.equal(r.corpusStart, corpus.slice(0, 40));
  assert.match(r.name, /^wasm/);
  assert.ok(r.maxDiff < 1e-3, `wasm gemm against the js kernels: max |difference| ${r.maxDiff}`);
}

test('cross-origin isolated, with createWorker: recur/kernel-worker runs the kernels on more than one thread', async () => {
  const r = await open(isolatedUrl);
  assert.equal(r.isolated, true, 'COOP/COEP served: the page is cross-origin isolated');
  assert.equal(r.workerIsolated, true);
  assert.ok(r.cores >= 2, `this test needs Chromium to report ≥ 2 cores (navigator.hardwareConcurrency ${r.cores})`);
  assert.equal(r.threads, Math.min(4, r.cores), 'threads: 4 asked for, capped at the cores');
  assert.ok(r.parallelCalls >= 1, `gemms cut between threads: ${r.parallelCalls}`);
  assert.equal(r.fallback, null);
  assert.deepEqual(r.warnings, []);
  assertWorked(r);
});

test('not cross-origin isolated: one thread, and the fallback says why (no throw)', async () => {
  const r = await open(plainUrl);
  assert.equal(r.isolated, false);
  assert.equal(r.threads, 1);
  assert.equal(r.parallelCalls, 0);
  assert.match(r.fallback ?? '', /^wasm kernels: 1 thread instead of 4: no SharedArrayBuffer .*cross-origin isolated/);
  assert.deepEqual(r.warnings, [r.fallback], 'onFallback got the same message');
  assertWorked(r);
});

test('cross-origin isolated but without createWorker (the bundler did not copy the worker): one thread, and why', async () => {
  const r = await open(`${isolatedUrl}?mode=default`);
  assert.equal(r.isolated, true);
  assert.equal(r.threads, 1);
  assert.match(r.fallback ?? '', /^wasm kernels: 1 thread instead of \d: the kernel worker did not start .*createWorker/);
  assert.deepEqual(r.warnings, [r.fallback]);
  assertWorked(r);
});
