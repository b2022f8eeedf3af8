/**
 * @module cli/files
 * The only place recur touches the file system. Reads name the option a path came from and take
 * regular files only, up to MAX_READ bytes: a device, a pipe or an endless file is refused before a
 * byte is read. Writes are atomic (a temporary file in the same folder, flushed with fsync, then
 * renamed, then the folder flushed), so a failed run never leaves a partial file and never destroys
 * the file that was there; a symbolic link or a device at an output path is never replaced.
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync, constants, fstatSync, fsyncSync, lstatSync, openSync, readSync, renameSync, rmSync, statSync, writeSync,
  type Stats,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { RecurError } from '../errors.js';
import { parseSafetensors, type SafetensorsFile } from '../format/safetensors.js';

/** The largest file recur reads: 2 GiB (a safetensors checkpoint). */
export const MAX_READ = 2 ** 31;

/** The largest text file recur reads (a corpus, a CSV, a log): 512 MiB, below the longest string
 *  JavaScript holds. */
export const MAX_TEXT = 2 ** 29;

/** The bytes of a regular file of at most `limit` bytes; anything else is a RecurError naming `option`. */
export function readBytes(path: string, option: string, limit = MAX_READ): Uint8Array {
  const fail = (why: string): RecurError => new RecurError(`${option} ${path}: cannot read the file (${why})`);
  let st: Stats;
  try { st = statSync(path); } catch (e) { throw fail(reason(e)); }
  // checked before opening: opening a FIFO waits for a writer, and a device never ends
  if (!st.isFile()) throw fail(`${kind(st)}, not a regular file`);
  if (st.size > limit) throw fail(`larger than ${mib(limit)} MiB, the most recur reads`);
  let fd: number;
  try { fd = openSync(path, 'r'); } catch (e) { throw fail(reason(e)); }
  try {
    if (!fstatSync(fd).isFile()) throw fail('not a regular file');
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      // read until the end, whatever the size said (files under /proc say 0), but never past the limit
      const chunk = new Uint8Array(Math.min(limit + 1 - total, Math.max(st.size + 1 - total, 1 << 16)));
      let n: number;
      try { n = readSync(fd, chunk, 0, chunk.length, null); } catch (e) { throw fail(reason(e)); }
      if (n === 0) break;
      total += n;
      if (total > limit) throw fail(`larger than ${mib(limit)} MiB, the most recur reads`);
      chunks.push(chunk.subarray(0, n));
    }
    if (chunks.length === 1) return chunks[0]!;
    const out = new Uint8Array(total);
    let at = 0;
    for (const c of chunks) { out.set(c, at); at += c.length; }
    return out;
  } finally {
    closeSync(fd);
  }
}

/** A safetensors file read by readBytes and parsed. */
export function readSafetensors(path: string, option: string): SafetensorsFile {
  return parseSafetensors(readBytes(path, option), path);
}

/** Throw unless `path` can be written as a file: its folder exists and is writable, and nothing but
 *  a regular file is there. Run before the work, so that a bad path fails at once. */
export function checkOutputFile(path: string, option: string): void {
  const fail = (why: string): RecurError => new RecurError(`${option} ${path}: cannot write the file (${why})`);
  if (path === '') throw new RecurError(`${option}: expected a file path, got ""`);
  let st: Stats | undefined;
  try { st = lstatSync(path); } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw fail(reason(e));
  }
  if (st?.isDirectory()) throw fail('it is a directory');
  if (st && !st.isFile()) throw fail(`${kind(st)} is there; recur replaces regular files only`);
  checkWritableFolder(dirname(path), (why) => fail(why));
}

/** The trial file checkWritableFolder creates and removes: `.recur-probe.<8 hex>.tmp`. */
export const PROBE_NAME = 'recur-probe';

/** Throw (with `fail`) unless `dir` is an existing folder this process may create files in. */
export function checkWritableFolder(dir: string, fail: (why: string) => RecurError): void {
  let st: Stats;
  try { st = statSync(dir); } catch (e) {
    throw fail(`the folder ${dir}: ${reason(e)}`);
  }
  if (!st.isDirectory()) throw fail(`${dir} is not a folder`);
  // a trial file rather than access(2): it also catches a read-only file system and root's quirks
  const probe = join(dir, `.${PROBE_NAME}.${randomBytes(4).toString('hex')}.tmp`);
  try { closeSync(openSync(probe, 'wx')); } catch (e) { throw fail(`the folder ${dir}: ${reason(e)}`); }
  rmSync(probe, { force: true });
}

/** The temporary file writeAtomic writes `path` to before renaming it: `.NAME.<8 hex>.tmp`. */
export function temporaryPattern(name: string): RegExp {
  return new RegExp(`^\\.${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.[0-9a-f]{8}\\.tmp$`);
}

/** Write `path` atomically: a temporary file beside it, fsync, rename over it, fsync the folder. */
export function writeAtomic(path: string, data: Uint8Array | string, option: string): void {
  commit(stage(path, data, option));
}

/** Write several files all or nothing: each to its temporary file first, then all renamed. A
 *  failure before the renames leaves every path as it was. */
export function writeAll(files: { path: string; data: Uint8Array | string; option: string }[]): void {
  const staged: Staged[] = [];
  try {
    for (const f of files) staged.push(stage(f.path, f.data, f.option));
  } catch (e) {
    for (const s of staged) rmSync(s.tmp, { force: true });
    throw e;
  }
  for (const s of staged) commit(s);
}

interface Staged { path: string; tmp: string; option: string }

function stage(path: string, data: Uint8Array | string, option: string): Staged {
  checkOutputFile(path, option);
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.tmp`);
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  try {
    // O_EXCL: never through a link or over someone else's file; O_NOFOLLOW where the system has it
    const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0), 0o644);
    try {
      for (let at = 0; at < bytes.length;) at += writeSync(fd, bytes, at, bytes.length - at);
      fsyncSync(fd); // the data is on the disk before the name points at it
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new RecurError(`${option} ${path}: cannot write the file (${reason(e)})`);
  }
  return { path, tmp, option };
}

function commit(s: Staged): void {
  try {
    const st = lstatSync(s.path, { throwIfNoEntry: false });
    if (st && !st.isFile()) throw Object.assign(new Error(), { code: 'ENOTREG', kind: kind(st) });
    renameSync(s.tmp, s.path);
  } catch (e) {
    rmSync(s.tmp, { force: true });
    const why = (e as { code?: string }).code === 'ENOTREG' ? `${(e as { kind: string }).kind} is there; recur replaces regular files only` : reason(e);
    throw new RecurError(`${s.option} ${s.path}: cannot write the file (${why})`);
  }
  syncFolder(dirname(s.path));
}

/** fsync a folder so that a rename in it survives a crash; systems that cannot are skipped. */
function syncFolder(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // some systems (Windows, a few network file systems) do not fsync folders: the rename stands
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** What a non-regular file is, in words. */
function kind(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isSymbolicLink()) return 'a symbolic link';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isFIFO()) return 'a pipe';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** An fs error's code in words. */
export function reason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT': return 'no such file or directory';
    case 'EACCES': case 'EPERM': return 'permission denied';
    case 'EROFS': return 'read-only file system';
    case 'EISDIR': return 'it is a directory';
    case 'ENOTDIR': return 'a parent is not a directory';
    case 'ENOSPC': return 'no space left on the device';
    case 'EEXIST': return 'it already exists';
    default: return code ?? (e as Error).message;
  }
}

const mib = (bytes: number): string => String(Math.round(bytes / 2 ** 20));
