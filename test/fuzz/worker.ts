// The fuzz test's worker thread (test/cli-fuzz.test.ts): it writes each case's files, calls the
// CLI's main(argv) in-process with stdout and stderr captured, and posts back the exit code, the
// output and any exception that escaped main. A worker, so that the test can end a case that hangs.
// Run as a plain module (node --test runs every file under test/) it does nothing.
import { writeFileSync } from 'node:fs';
import { isMainThread, parentPort } from 'node:worker_threads';

/** One case: files to write first, then the arguments of `recur`. */
export interface FuzzCase { id: number; files: [string, Uint8Array][]; argv: string[] }
/** What came of it; `thrown` is the stack of an exception that escaped main. */
export interface FuzzResult { id: number; code: number | null; stdout: string; stderr: string; thrown: string | undefined }

if (!isMainThread && parentPort) {
  const port = parentPort;
  const { main } = await import('../../src/cli/main.js');
  let stdout = '', stderr = '';
  const capture = (append: (s: string) => void) => ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    append(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    const done = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    done?.();
    return true;
  }) as typeof process.stdout.write;
  process.stdout.write = capture((s) => { stdout += s; });
  process.stderr.write = capture((s) => { stderr += s; });
  port.on('message', async (c: FuzzCase) => {
    for (const [path, bytes] of c.files) writeFileSync(path, bytes);
    stdout = ''; stderr = '';
    let code: number | null = null, thrown: string | undefined;
    // main adds an EPIPE handler to stdout on each call, as a process calls it once: remove it after
    // the case, or the 11th case prints a MaxListenersExceededWarning into its stderr
    const listeners = process.stdout.listeners('error');
    try {
      code = await main(c.argv);
    } catch (e) {
      thrown = e instanceof Error ? e.stack ?? String(e) : String(e);
    }
    for (const l of process.stdout.listeners('error')) if (!listeners.includes(l)) process.stdout.off('error', l as (e: Error) => void);
    port.postMessage({ id: c.id, code, stdout, stderr, thrown } satisfies FuzzResult);
  });
  port.postMessage('ready');
}
