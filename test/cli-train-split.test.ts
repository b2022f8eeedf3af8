// `recur train --val F`: the last ⌊F·n⌋ tokens validate and the rest train, with nothing shared.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ROOT } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'recur-split-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('train --val: the validation part is the last ⌊val·n⌋ tokens, the training part the rest', () => {
  const corpus = join(dir, 'c.txt');
  writeFileSync(corpus, 'abcdefghij klmnop qrstu vwxyz '.repeat(9)); // 270 characters
  for (const [val, nVal] of [[0.25, 67], [0.1, 27]] as const) {
    const r = spawnSync(process.execPath, [`${ROOT}bin/recur.js`, 'train', '--data', corpus, '--val', String(val), '--hidden', '4', '--batch', '2',
                                           '--steps', '4', '--epochs', '1', '--sample', '0', '--threads', '1', '--json', '--out', join(dir, `o${val}`)],
                        { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const start = JSON.parse(r.stdout.split('\n')[0]!) as { tokens: number; trainTokens: number; valTokens: number };
    assert.equal(start.tokens, 270);
    assert.equal(start.valTokens, nVal, `--val ${val}`);
    assert.equal(start.trainTokens, 270 - nVal, `--val ${val}: the training part overlaps the validation part or misses tokens`);
  }
});
