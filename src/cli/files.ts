/**
 * @module cli/files
 * The only place recur touches the file system. Reads name the option a path came from; writes are
 * atomic (a temporary file in the same folder, then rename), so a failed run never leaves a partial
 * file and never destroys the file that was there.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { RecurError } from '../errors.js';
import { parseSafetensors, type SafetensorsFile } from '../format/safetensors.js';

export function readBytes(path: string, option: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new RecurError(`${option} ${path}: cannot read the file (${reason(e)})`);
  }
}

export function readSafetensors(path: string, option: string): SafetensorsFile {
  return parseSafetensors(readBytes(path, option), path);
}

export function writeAtomic(path: string, data: Uint8Array | string, option: string): void {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new RecurError(`${option} ${path}: cannot write the file (${reason(e)})`);
  }
}

function reason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT': return 'no such file or directory';
    case 'EACCES': return 'permission denied';
    case 'EISDIR': return 'it is a directory';
    case 'ENOTDIR': return 'a parent is not a directory';
    case 'ENOSPC': return 'no space left on the device';
    default: return code ?? (e as Error).message;
  }
}
