// The scripts no test runs end to end (the benchmarks need minutes, peers or a browser): each must at
// least parse, so that a broken one is caught here and not by the next person who runs it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT } from './helpers.js';

const scripts = ['bench', 'bench/peers', 'wasm', 'native', 'tools/analysis']
  .flatMap((dir) => readdirSync(join(ROOT, dir)).filter((f) => f.endsWith('.mjs')).map((f) => join(dir, f)));

test('every .mjs script under bench/, wasm/, native/ and tools/ parses (node --check)', () => {
  assert.ok(scripts.length >= 4, `found ${scripts.join(', ')}`);
  for (const s of scripts) {
    const r = spawnSync(process.execPath, ['--check', join(ROOT, s)], { encoding: 'utf8' });
    assert.equal(r.status, 0, `${s}: ${r.stderr}`);
  }
});
