/**
 * @module cli/out-dir
 * The output folder of a training run (`train --out DIR`), claimed before training starts: created
 * if needed (and removed again if the run fails before writing anything into it), checked
 * writable, locked against a second run writing the same folder at once, and swept of the
 * temporary files a killed run left behind.
 *
 * The lock is a file `DIR/.recur.lock` holding the owner's pid, created with O_EXCL. A lock whose
 * pid is no longer running (the run was killed) is stale and taken over.
 */
import { closeSync, lstatSync, type Stats, mkdirSync, openSync, readdirSync, readFileSync, rmdirSync, rmSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { RecurError } from '../errors.js';
import { checkWritableFolder, PROBE_NAME, reason, temporaryPattern } from './files.js';

/** The lock file's name inside the output folder. */
export const LOCK_FILE = '.recur.lock';

/** A claimed output folder; `release` gives it back (and removes it when the run failed and it
 *  is as empty as it was made). */
export interface OutDir {
  dir: string;
  release(failed: boolean): void;
}

/** Claim `dir` for a run that writes the files `names` into it. */
export function claimOutDir(dir: string, option: string, names: string[]): OutDir {
  const fail = (why: string): RecurError => new RecurError(`${option} ${dir}: cannot write there (${why})`);
  let st: Stats | undefined;
  try { st = lstatSync(dir, { throwIfNoEntry: false }); } catch (e) { throw fail(reason(e)); }
  if (st && st.isSymbolicLink()) {
    // a link to a folder is a folder to write in; a link to anything else is refused below
  } else if (st && !st.isDirectory()) {
    throw fail(`${st.isFile() ? 'a file' : 'something that is not a folder'} is there; expected a folder`);
  }
  let created: string | undefined;
  try {
    created = mkdirSync(dir, { recursive: true }); // the first folder it made, if any
  } catch (e) {
    throw fail(reason(e));
  }
  const undo = () => { if (created !== undefined) removeEmpty(dir, created); };
  try {
    checkWritableFolder(dir, fail);
    takeLock(dir, option);
  } catch (e) {
    undo();
    throw e;
  }
  for (const name of names) {
    // a link or a device where a checkpoint goes: refused now, not after the training
    const at = lstatSync(join(dir, name), { throwIfNoEntry: false });
    if (at && !at.isFile()) {
      rmSync(join(dir, LOCK_FILE), { force: true });
      undo();
      throw fail(`${join(dir, name)} is not a regular file; recur replaces regular files only`);
    }
  }
  sweepTemporaries(dir, names);
  let released = false;
  return {
    dir,
    release(failed: boolean) {
      if (released) return;
      released = true;
      rmSync(join(dir, LOCK_FILE), { force: true });
      if (failed) undo();
    },
  };
}

/** Create the lock, or take over a stale one; a live owner is a RecurError naming its pid. */
function takeLock(dir: string, option: string): void {
  const path = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o644);
      try { writeSync(fd, `${process.pid}\n`); } finally { closeSync(fd); }
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new RecurError(`${option} ${dir}: cannot lock it (${reason(e)})`);
    }
    let text = '';
    try { text = readFileSync(path, 'utf8'); } catch { /* gone meanwhile: try again */ }
    const pid = Number(text.trim());
    if (Number.isSafeInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
      throw new RecurError(`${option} ${dir}: another recur run (pid ${pid}) is writing there; wait for it to end, or choose another --out ` +
        `(if no such run exists, remove ${path})`);
    }
    rmSync(path, { force: true }); // stale: its run is gone
  }
  throw new RecurError(`${option} ${dir}: cannot lock it (${path} keeps coming back)`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // it exists, owned by someone else
  }
}

/** Remove the temporary files of our own outputs (`.checkpoint.safetensors.<hex>.tmp`) and of the
 *  writability check (`.recur-probe.<hex>.tmp`) that a run killed mid-write left. The lock says no
 *  other run is writing them. */
function sweepTemporaries(dir: string, names: string[]): void {
  const patterns = [...names, PROBE_NAME].map(temporaryPattern);
  for (const entry of readdirSync(dir)) {
    if (patterns.some((p) => p.test(entry))) rmSync(join(dir, entry), { force: true });
  }
}

/** Remove `dir` and its parents up to `top` (the first folder mkdir made), while they are empty. */
function removeEmpty(dir: string, top: string): void {
  let d = resolve(dir);
  for (;;) {
    try { rmdirSync(d); } catch { return; } // not empty (or gone): stop
    if (d === top || d.length <= top.length) return;
    d = join(d, '..');
  }
}
