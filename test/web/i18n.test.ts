// The page's two languages: every dictionary (the shell's web/src/i18n and each section's
// web/src/notes/sections/<id>) has the same keys in English and Chinese, with the same {placeholders},
// Chinese text where the English has words, TeX that KaTeX typesets, and balanced markup; every key
// the page names (index.html's data-i18n*, t('…') and key literals in web/src) exists.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import katex from 'katex';
import { ROOT } from './harness.js';

type Dict = Record<string, string>;
const WEB = join(ROOT, 'web');
const SECTIONS = join(WEB, 'src', 'notes', 'sections');

/** Every dictionary folder: the shell's, then each section's (with its id). */
function folders(): { dir: string; section: string | null }[] {
  const out: { dir: string; section: string | null }[] = [{ dir: join(WEB, 'src', 'i18n'), section: null }];
  for (const id of readdirSync(SECTIONS)) if (statSync(join(SECTIONS, id)).isDirectory()) out.push({ dir: join(SECTIONS, id), section: id });
  return out;
}
const read = (path: string): Dict => JSON.parse(readFileSync(path, 'utf8')) as Dict;
const all = (lang: 'en' | 'zh'): Dict => Object.assign({}, ...folders().map((f) => read(join(f.dir, `${lang}.json`))));
const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
const MATH = /\$\$([\s\S]+?)\$\$|\$([^$]+?)\$/g;
/** The words a reader reads: without TeX, tags, code, placeholders and entities. */
const prose = (s: string) => s.replace(MATH, ' ').replace(/<code>[\s\S]*?<\/code>/g, ' ').replace(/<[^>]+>/g, ' ').replace(/\{\w+\}|&\w+;/g, ' ');

test('every dictionary has both languages with the same keys, no empty string and the same {placeholders}', () => {
  for (const { dir, section } of folders()) {
    const where = relative(ROOT, dir);
    assert.ok(existsSync(join(dir, 'en.json')) && existsSync(join(dir, 'zh.json')), `${where}: en.json and zh.json`);
    const en = read(join(dir, 'en.json')), zh = read(join(dir, 'zh.json'));
    assert.deepEqual(Object.keys(zh).sort(), Object.keys(en).sort(), `${where}: the same keys in en.json and zh.json`);
    for (const [k, v] of Object.entries(en)) {
      assert.ok(typeof v === 'string' && v.trim() !== '' && typeof zh[k] === 'string' && zh[k]!.trim() !== '', `${where}: ${k} is a non-empty string in both`);
      assert.deepEqual(placeholders(zh[k]!), placeholders(v), `${where}: ${k} has the same {placeholders}`);
    }
    if (section) {
      for (const k of Object.keys(en)) assert.ok(k.startsWith(`${section}.`), `${where}: key ${k} starts with "${section}."`);
      for (const k of ['title', 'blurb']) assert.ok(`${section}.${k}` in en, `${where}: has ${section}.${k}`);
    }
  }
});

test('the Chinese is Chinese: where the English has words, the Chinese has Chinese characters', () => {
  const en = all('en'), zh = all('zh');
  for (const [k, v] of Object.entries(en)) {
    if (!/[a-z]{3,}/.test(prose(v))) continue; // symbols, numbers, names: the same in both
    assert.match(prose(zh[k]!), /[\u3400-\u9fff]/, `zh ${k} = ${JSON.stringify(zh[k])} has no Chinese (en: ${JSON.stringify(v)})`);
  }
});

test('every formula typesets (KaTeX, throwOnError) and every string\'s markup is balanced', () => {
  for (const lang of ['en', 'zh'] as const) {
    for (const [k, v] of Object.entries(all(lang))) {
      for (const m of v.matchAll(MATH)) {
        assert.doesNotThrow(() => katex.renderToString(m[1] ?? m[2]!, { displayMode: m[1] !== undefined, throwOnError: true }), `${lang} ${k}: ${m[0]}`);
      }
      const stack: string[] = [];
      for (const [, close, tag] of v.matchAll(/<(\/?)([a-z][a-z0-9]*)\b[^>]*>/g)) {
        if (['br', 'img', 'wbr'].includes(tag!)) continue;
        if (!close) stack.push(tag!);
        else assert.equal(stack.pop(), tag, `${lang} ${k}: </${tag}> closes what it opened`);
      }
      assert.deepEqual(stack, [], `${lang} ${k}: every tag closed`);
    }
  }
});

/** Every .ts file under web/src. */
function sources(dir = join(WEB, 'src')): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? sources(p) : n.endsWith('.ts') ? [p] : [];
  });
}

test('every key the page names exists: index.html\'s data-i18n*, t(\'…\') calls and key literals in web/src', () => {
  const en = all('en');
  const prefixes = new Set(Object.keys(en).map((k) => k.split('.')[0]!));
  const html = readFileSync(join(WEB, 'index.html'), 'utf8');
  const named: { key: string; where: string }[] = [];
  for (const m of html.matchAll(/data-i18n(?:-html)?="([^"]+)"/g)) named.push({ key: m[1]!, where: 'index.html' });
  for (const m of html.matchAll(/data-i18n-attr="([^"]+)"/g)) for (const pair of m[1]!.split(';')) named.push({ key: pair.split(':')[1]!.trim(), where: 'index.html' });
  for (const file of sources()) {
    const src = readFileSync(file, 'utf8');
    // t('key'), tr('key'), and any 'prefix.word…' literal whose prefix is a dictionary's
    for (const m of src.matchAll(/'([a-z]+(?:\.[a-zA-Z0-9]+)+)'/g)) {
      if (prefixes.has(m[1]!.split('.')[0]!) && !/\.(ts|js|json|css)$/.test(m[1]!)) named.push({ key: m[1]!, where: relative(ROOT, file) });
    }
    for (const m of src.matchAll(/\bt(?:r)?\('([a-z]+\.[^']+)'/g)) named.push({ key: m[1]!, where: relative(ROOT, file) });
  }
  assert.ok(named.length > 100, `found ${named.length} keys named`);
  const missing = named.filter((n) => !(n.key in en));
  assert.deepEqual(missing, [], 'keys named but in no dictionary');
});
