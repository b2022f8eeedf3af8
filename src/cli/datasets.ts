/**
 * @module cli/datasets
 * The corpora and series that ship with recur (in the package's data/ folder), and user files.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MAX_TEXT, readBytes } from './files.js';
import { RecurError } from '../errors.js';
import { UsageError } from './args.js';

/** data/ inside the installed package (dist/src/cli → ../../../data). */
export const DATA_DIR = fileURLToPath(new URL('../../../data/', import.meta.url));

export const SHIPPED_TEXTS: Record<string, string> = {
  timemachine: 'timemachine.txt',
  tinyshakespeare: 'tinyshakespeare.txt',
};

/** A shipped corpus by name, or a UTF-8 text file by path. */
export function readText(data: string, option = '--data'): { name: string; text: string } {
  const shipped = SHIPPED_TEXTS[data];
  const path = shipped ? `${DATA_DIR}${shipped}` : data;
  if (!shipped && !existsSync(path)) {
    throw new RecurError(`${option} ${data}: no such file, and not a shipped corpus (${Object.keys(SHIPPED_TEXTS).join(', ')})`);
  }
  const bytes = readBytes(path, option, MAX_TEXT);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new RecurError(`${option} ${data}: expected UTF-8 text, got bytes that are not valid UTF-8`);
  }
  if (text.trim().length === 0) throw new RecurError(`${option} ${data}: the file is empty`);
  return { name: shipped ? data : path, text };
}

/** "5m", "90s", "1h", "1h30m" or plain seconds → seconds. */
export function parseDuration(s: string, option: string): number {
  const plain = Number(s);
  if (s.trim() !== '' && Number.isFinite(plain) && plain > 0) return plain;
  const re = /(\d+(?:\.\d+)?)\s*(h|m|s)/gy;
  let total = 0;
  let m: RegExpExecArray | null;
  let end = 0;
  while ((m = re.exec(s)) !== null) {
    total += Number(m[1]) * (m[2] === 'h' ? 3600 : m[2] === 'm' ? 60 : 1);
    end = re.lastIndex;
  }
  if (end !== s.length || total <= 0) throw new UsageError(`${option}: expected a duration like 90s, 5m or 1h30m, got "${s}"`);
  return total;
}
