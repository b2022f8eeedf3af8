// The API reference (`npm run docs`, TypeDoc over src/index.ts into docs/api/): every export is
// documented and every {@link} resolves, or TypeDoc fails. Checked here without writing the HTML
// (`--emit none`), and the check itself is checked: a module with an undocumented export and a
// broken link must fail under the same options.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT } from './helpers.js';

const TYPEDOC = join(ROOT, 'node_modules', 'typedoc', 'bin', 'typedoc');

/** TypeDoc with the options file `options` (default: the project's), validating only. */
function typedoc(options = join(ROOT, 'typedoc.json')): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [TYPEDOC, '--options', options, '--emit', 'none', '--logLevel', 'Warn'],
                      { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } });
  return { status: r.status, out: r.stdout + r.stderr };
}

test('TypeDoc: every export of src/index.ts is documented and every link resolves', () => {
  const r = typedoc();
  assert.equal(r.status, 0, r.out);
  assert.doesNotMatch(r.out, /\[(warning|error)\]/, r.out);
});

test('TypeDoc with these options fails on an undocumented export and on a broken link', () => {
  const dir = mkdtempSync(join(tmpdir(), 'recur-typedoc-'));
  try {
    writeFileSync(join(dir, 'index.ts'), [
      '/** Documented, but its link goes nowhere: {@link NoSuchThing}. */',
      'export const linked = 1;',
      'export function undocumented(): number { return 2; }',
      '',
    ].join('\n'));
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, types: [] }, files: ['index.ts'],
    }));
    // the project's options, with only the entry point and its tsconfig replaced
    writeFileSync(join(dir, 'typedoc.json'), JSON.stringify({
      extends: [join(ROOT, 'typedoc.json')], entryPoints: ['./index.ts'], tsconfig: './tsconfig.json', name: 'probe',
    }));
    const r = typedoc(join(dir, 'typedoc.json'));
    assert.notEqual(r.status, 0, `TypeDoc passed:\n${r.out}`);
    assert.match(r.out, /undocumented.*does not have any documentation/);
    assert.match(r.out, /NoSuchThing/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
