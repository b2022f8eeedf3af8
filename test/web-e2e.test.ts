// The playground end to end, in Debian's Chromium (headless, through playwright-core): the built
// page served on 127.0.0.1 with COOP/COEP. It trains for a few seconds (perplexity falls, a sample
// appears), loads a checkpoint written by `recur train` and generates exactly what
// `recur generate --greedy` does, runs the gradient lab, shows clear messages for bad input, and
// reports a training throughput within 1.5× of `recur bench`. Screenshots go to out/web/.
// Without Chromium this test fails (it says how to install it); it never passes silently.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { serializeSafetensors } from '../src/index.js';
import { buildPage, CHROMIUM, CHROMIUM_ARGS, nodeBench, pageBench, requireChromium, ROOT, serve } from './web/harness.js';

interface State {
  ready: { backend: string; isolated: boolean; threads: number } | null;
  train: { steps: number; firstPerplexity: number | null; perplexity: number | null; tokensPerSecond: number | null; samples: number; lastSample: string | null };
  lab: { runs: number; series: { label: string; points: number }[]; heatmaps: number };
  checkpoint: { loaded: string | null; generations: number; generated: string | null };
  errors: { where: string; message: string }[];
}

const dir = mkdtempSync(join(tmpdir(), 'recur-web-'));
const shots = join(ROOT, 'out', 'web');
let browser: Browser | undefined;
let server: Awaited<ReturnType<typeof serve>> | undefined;
let page: Page;
let url: string;
const pageErrors: string[] = [];

const state = () => page.evaluate(() => (window as unknown as { playground: State }).playground);
const until = (fn: string, timeout = 30_000) => page.waitForFunction(fn, undefined, { timeout, polling: 100 });
/** The text of a message element once it shows. */
async function shownMessage(id: string): Promise<string> {
  await page.waitForSelector(`#${id}:not([hidden])`, { timeout: 10_000 });
  return (await page.textContent(`#${id}`)) ?? '';
}
const recur = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, 'bin', 'recur.js'), ...args], { cwd: ROOT, encoding: 'utf8' });

before(async () => {
  requireChromium();
  mkdirSync(shots, { recursive: true });
  buildPage(join(dir, 'site'));
  server = await serve(join(dir, 'site'));
  url = server.url;
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(url);
  await until('window.playground && window.playground.ready');
});

after(async () => {
  await browser?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('the page type-checks (tsc -p web/tsconfig.json; vite build only strips types)', () => {
  const r = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'web', 'tsconfig.json')], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
});

test('the page is cross-origin isolated and runs on the WASM kernels', async () => {
  const s = await state();
  assert.equal(s.ready?.isolated, true, 'COOP/COEP served: SharedArrayBuffer available');
  assert.match(s.ready!.backend, /^wasm/);
  // isolated: the kernels run on the cores Chromium reports, worker threads nested in the train Worker
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  assert.equal(s.ready!.threads, cores, `threads in the page (hardwareConcurrency ${cores})`);
});

test('train: an empty corpus is a clear message; then training lowers perplexity and streams samples', async () => {
  await page.selectOption('#corpus', 'pasted');
  await page.fill('#corpus-text', '  \n ');
  await page.click('#start');
  assert.match(await shownMessage('train-msg'), /pasted text is empty/);

  await page.selectOption('#corpus', 'timemachine');
  await page.fill('#hidden', '128');
  await page.click('#start');
  await until('window.playground.train.steps >= 40 && window.playground.train.samples >= 1', 40_000);
  await page.click('#pause');
  await until('document.querySelector("#start").textContent === "Resume"');
  const s = (await state()).train;
  assert.ok(await page.isHidden('#train-msg'), 'the earlier message is gone');
  assert.ok(s.perplexity! < 0.75 * s.firstPerplexity!, `perplexity fell: ${s.firstPerplexity} → ${s.perplexity}`);
  assert.ok(s.lastSample && s.lastSample.length > 100, `a sample: ${JSON.stringify(s.lastSample)}`);
  assert.ok(s.tokensPerSecond! > 0);
  await page.screenshot({ path: join(shots, 'train.png'), fullPage: true });
});

test('checkpoints: bad files are clear messages; greedy generation equals recur generate --greedy', async () => {
  const out = join(dir, 'cli');
  const train = recur('train', '--hidden', '16', '--epochs', '1', '--max-tokens', '3000', '--val', '0', '--out', out, '--sample', '0', '--backend', 'js');
  assert.equal(train.status, 0, train.stderr);
  const ck = join(out, 'checkpoint.safetensors');
  await page.click('nav [data-tab="checkpoints"]');

  await page.setInputFiles('#ckpt-file', { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not a checkpoint, just text') });
  assert.match(await shownMessage('ckpt-msg'), /notes\.txt is not a safetensors checkpoint/);
  // a recurrent stack (recur run's format), not a language model
  const stack = serializeSafetensors([{ name: 'weight_ih_l0', shape: [4, 2], data: new Float32Array(8), dtype: 'F32' }],
                                     { 'recur.config': JSON.stringify({ cell: 'rnn', inputSize: 2, hiddenSize: 4 }) });
  await page.setInputFiles('#ckpt-file', { name: 'stack.safetensors', mimeType: 'application/octet-stream', buffer: Buffer.from(stack) });
  await until('document.querySelector("#ckpt-msg").textContent.includes("stack.safetensors")');
  assert.match(await shownMessage('ckpt-msg'), /expected a language model checkpoint/);

  await page.setInputFiles('#ckpt-file', ck);
  await until('window.playground.checkpoint.loaded === "checkpoint.safetensors"');
  assert.ok(await page.isHidden('#ckpt-msg'));
  await page.fill('#gen-prefix', 'The Time');
  await page.fill('#gen-length', '80');
  await page.check('#gen-greedy');
  await page.click('#gen-run');
  await until('window.playground.checkpoint.generations === 1');
  const cli = recur('generate', '--checkpoint', ck, '--prefix', 'The Time', '--length', '80', '--greedy');
  assert.equal(cli.status, 0, cli.stderr);
  const inPage = (await state()).checkpoint.generated;
  assert.equal(inPage, cli.stdout.replace(/\n$/, ''));
  await page.screenshot({ path: join(shots, 'checkpoints.png'), fullPage: true });
});

test('gradient lab: no cell is a clear message; three cells draw three curves and three heatmaps', async () => {
  await page.click('nav [data-tab="lab"]');
  const cells = await page.$$('input[name="lab-cell"]:checked');
  for (const c of cells) await c.uncheck();
  await page.click('#lab-run');
  assert.match(await shownMessage('lab-msg'), /choose at least one cell/);
  for (const c of cells) await c.check();
  await page.click('#lab-run');
  await until('window.playground.lab.runs === 1');
  const { lab } = await state();
  assert.equal(lab.series.length, 3);
  for (const s of lab.series) assert.equal(s.points, 60, `${s.label}: a finite gradient norm at every distance`);
  assert.equal(lab.heatmaps, 3);
  // the curves are on the canvas: pixels of each series' colour
  await page.waitForTimeout(200);
  const counts = await page.evaluate(() => {
    const canvas = document.querySelector<HTMLCanvasElement>('#lab-chart canvas')!;
    const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
    return ['#4e79a7', '#f28e2b', '#e15759'].map((hex) => {
      const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
      let n = 0;
      for (let i = 0; i < data.length; i += 4) if (Math.abs(data[i]! - r!) + Math.abs(data[i + 1]! - g!) + Math.abs(data[i + 2]! - b!) < 40) n++;
      return n;
    });
  });
  for (const n of counts) assert.ok(n > 100, `every curve drawn (pixels per colour: ${counts.join(', ')})`);
  // recur's heatmap: one filled path per colour level
  const levels = await page.$$eval('#lab-cards svg', (svgs) => svgs.map((s) => s.querySelectorAll('g[shape-rendering] path').length));
  assert.ok(levels.length === 3 && levels.every((n) => n >= 5), `heatmap cells drawn (colour levels per heatmap: ${levels.join(', ')})`);
  await page.screenshot({ path: join(shots, 'lab.png'), fullPage: true });
});

test('throughput: the page trains within 1.5× of recur bench (LSTM H=256)', async (t) => {
  let ratio = Infinity;
  for (let attempt = 0; attempt < 2 && ratio > 1.5; attempt++) { // a busy machine: one retry
    const inPage = await pageBench(page, url, 'lstm', 256, 2);
    // the same kernels in Node (auto there is the native addon, which no page runs)
    const node = nodeBench('lstm', 256, 2, inPage.threads, inPage.backend);
    ratio = node.tokensPerSecond / inPage.tokensPerSecond;
    t.diagnostic(`page ${Math.round(inPage.tokensPerSecond)} tokens/s (${inPage.backend}, ${inPage.threads} thread(s)), ` +
                 `recur bench ${Math.round(node.tokensPerSecond)} tokens/s (${node.backend}): node/page = ${ratio.toFixed(2)}`);
  }
  assert.ok(ratio <= 1.5, `node/page = ${ratio.toFixed(2)} > 1.5`);
  await page.screenshot({ path: join(shots, 'bench.png'), fullPage: true });
});

test('no uncaught errors in the page or its workers', async () => {
  assert.deepEqual(pageErrors, []);
  assert.deepEqual((await state()).errors.filter((e) => e.where === 'worker'), []);
});
