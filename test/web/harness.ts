// The playground under test: build it with Vite, serve the static files on 127.0.0.1 with the
// cross-origin isolation headers, and drive Debian's Chromium through playwright-core (which
// downloads nothing). Shared by test/web-e2e.test.ts and bench/web.mjs.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, from dist/test/web/. */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export const CHROMIUM = process.env.RECUR_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run',
  '--disable-quic', '--disable-dev-shm-usage',
];

/** A clear failure when Chromium is missing: the end-to-end test must not pass without running. */
export function requireChromium(): void {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`the playground's end-to-end test needs Chromium at ${CHROMIUM}, which is missing: ` +
      'install it with `apt-get install chromium` (.ci/run does), or point RECUR_CHROMIUM at a Chromium binary');
  }
}

/** `vite build` of web/ into outDir (needs `npm run build:wasm` first, as `npm test` does). */
export function buildPage(outDir: string): void {
  const vite = join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  const r = spawnSync(process.execPath, [vite, 'build', '--config', join(ROOT, 'web', 'vite.config.ts'), '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'],
                      { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`vite build failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8', '.svg': 'image/svg+xml', '.png': 'image/png', '.json': 'application/json', '.wasm': 'application/wasm',
};

/** A static server for `dir` on 127.0.0.1 (a free port), with COOP/COEP so the page is cross-origin
 *  isolated (unless `isolated` is false). */
export async function serve(dir: string, isolated = true): Promise<{ url: string; close: () => Promise<void> }> {
  const root = normalize(dir + sep);
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = normalize(join(root, path.endsWith('/') ? `${path}index.html` : path));
    const headers = isolated ? {
      'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp',
      'Cross-Origin-Resource-Policy': 'same-origin', 'Cache-Control': 'no-store',
    } : { 'Cache-Control': 'no-store' };
    if (!file.startsWith(root) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { ...headers, 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { ...headers, 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

export interface BenchRow { cell: string; hidden: number; batch: number; steps: number; vocab: number; tokensPerSecond: number; gflops: number; backend: string; threads: number; isolated: boolean; userAgent: string }

/** The page's benchmark: open `?bench=<cell>-<hidden>&seconds=S` and wait for its result. */
export async function pageBench(page: import('playwright-core').Page, url: string, cell: string, hidden: number, seconds: number): Promise<BenchRow> {
  await page.goto(`${url}?bench=${cell}-${hidden}&seconds=${seconds}`);
  const handle = await page.waitForFunction(() => {
    const s = (window as unknown as { playground?: { bench: unknown; errors: { message: string }[] } }).playground;
    return s && (s.bench ?? (s.errors.length ? { error: s.errors.map((e) => e.message).join('; ') } : null));
  }, undefined, { timeout: (seconds + 30) * 1000 });
  const r = await handle.jsonValue() as BenchRow | { error: string };
  if ('error' in r) throw new Error(`the page's benchmark failed: ${r.error}`);
  return r;
}

/** `recur bench` in Node for the same configuration, on `threads` threads. */
export function nodeBench(cell: string, hidden: number, seconds: number, threads: number, backend = 'auto'): { tokensPerSecond: number; gflops: number; backend: string; threads: number } {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'recur.js'), 'bench', '--cell', cell, '--hidden', String(hidden), '--seconds', String(seconds),
                                         '--threads', String(threads), '--backend', backend, '--json'], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`recur bench failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as { tokensPerSecond: number; gflops: number; backend: string; threads: number };
}

/** Run a figure's `recur …` command line (words split on spaces, as the page shows it) and parse
 *  the JSON it prints; a failure throws with its stderr. */
export function recurJson(command: string): Record<string, unknown> {
  const [bin, ...args] = command.split(' ');
  if (bin !== 'recur') throw new Error(`not a recur command: ${command}`);
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'recur.js'), ...args], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${command} failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
}
