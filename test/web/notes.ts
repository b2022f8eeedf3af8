// What the end-to-end test checks in every section of the notes, and the contract for a section's
// own checks: test/web/sections/<id>.ts exports `check: SectionCheck`, one entry per figure id,
// asserting the figure's facts (window.playground.notes.figures[id].facts, the numbers it drew).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { ROOT } from './harness.js';

export type Lang = 'en' | 'zh';
export type Facts = Record<string, string | number | boolean | null>;

/** A section's checks, keyed by figure id. */
export interface SectionCheck {
  figures: Record<string, {
    /** Assert the default settings' facts (in either language: facts are numbers and ids). */
    facts(f: Facts): void;
    /** Click preset `index` (at desktop width, in English) and assert the new facts. */
    preset: { index: number; facts(f: Facts): void };
  }>;
}

/** The dictionary strings of a section in a language (read from the sources, not the page). */
export function sectionStrings(id: string, lang: Lang): Record<string, string> {
  return JSON.parse(readFileSync(join(ROOT, 'web', 'src', 'notes', 'sections', id, `${lang}.json`), 'utf8')) as Record<string, string>;
}

interface FigureView {
  id: string; state: string; facts: Facts | null; error: string | null; svgs: number; svgText: string; command: string; presets: number;
  controlsLabelled: boolean;
}

/** Wait until every figure of the shown section has drawn (or failed), then describe them. */
export async function figures(page: Page, section?: string, timeout = 30_000): Promise<FigureView[]> {
  await page.waitForFunction((id) => {
    if (id && document.querySelector<HTMLElement>('article.notes-section')?.dataset.section !== id) return false;
    const figs = [...document.querySelectorAll<HTMLElement>('figure.fig')];
    return figs.length > 0 && figs.every((f) => f.dataset.state === 'ready' || f.dataset.state === 'error') &&
      [...document.querySelectorAll<HTMLElement>('[data-typeset]')].every((e) => e.dataset.typeset === 'done');
  }, section, { timeout, polling: 100 });
  return page.$$eval('figure.fig', (figs) => figs.map((f) => {
    const el = f as HTMLElement;
    const st = (window as unknown as { playground: { notes: { figures: Record<string, { facts: Record<string, never> | null; error: string | null }> } } }).playground.notes.figures[el.dataset.figure!];
    const controls = [...el.querySelectorAll('.fig-controls input, .fig-controls select')];
    return {
      id: el.dataset.figure!, state: el.dataset.state!, facts: st?.facts ?? null, error: st?.error ?? null,
      svgs: el.querySelectorAll('.fig-plot svg').length,
      svgText: [...el.querySelectorAll('.fig-plot svg text')].map((t) => t.textContent).join(' | '),
      command: el.querySelector('.fig-cli code')?.textContent ?? '', presets: el.querySelectorAll('button.preset').length,
      controlsLabelled: controls.every((c) => (c as HTMLInputElement).labels?.length && (c as HTMLInputElement).labels![0]!.textContent!.trim() !== ''),
    };
  }));
}

/** The checks every section passes, whatever it shows. */
export async function checkSectionPage(page: Page, id: string, lang: Lang, width: number): Promise<FigureView[]> {
  const strings = sectionStrings(id, lang);
  const figs = await figures(page, id);
  const where = `${id} (${lang}, ${width} px)`;
  assert.equal((await page.textContent('article.notes-section h1'))?.trim(), strings[`${id}.title`], `${where}: the title in ${lang}`);
  assert.equal(await page.getAttribute('html', 'lang'), lang === 'zh' ? 'zh-CN' : 'en');
  for (const f of figs) {
    assert.equal(f.state, 'ready', `${where} ${f.id}: drawn (${f.error ?? ''})`);
    assert.ok(f.facts && Object.keys(f.facts).length > 0, `${where} ${f.id}: facts`);
    assert.ok(f.svgs >= 1 && f.svgText.length > 20, `${where} ${f.id}: a chart with text (${f.svgText.slice(0, 80)})`);
    assert.match(f.command, /^recur [a-z]+ .*--json/, `${where} ${f.id}: the reproducing command`);
    assert.ok(f.presets >= 1, `${where} ${f.id}: "try this" presets`);
    assert.ok(f.controlsLabelled, `${where} ${f.id}: every control has a label`);
  }
  const text = await page.evaluate(() => document.body.innerText);
  assert.doesNotMatch(text, /⟦/, `${where}: no missing dictionary key`);
  // typeset: KaTeX's output, and no raw TeX left in the reading text
  assert.ok(await page.locator('article .katex').count() > 0, `${where}: typeset equations`);
  const raw = await page.$$eval('article .notes-text, article figcaption', (els) => els.map((e) => {
    const c = e.cloneNode(true) as HTMLElement;
    c.querySelectorAll('.katex, code').forEach((k) => k.remove());
    return c.textContent ?? '';
  }).join(' '));
  assert.doesNotMatch(raw, /\$|\\[a-z]+\{|\\frac|_\{/, `${where}: no raw TeX in the text`);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `${where}: no horizontal overflow (${overflow} px too wide)`);
  return figs;
}

/** axe-core in the page; the serious and critical violations, as readable lines. */
export async function axeViolations(page: Page): Promise<string[]> {
  const loaded = await page.evaluate(() => typeof (window as unknown as { axe?: unknown }).axe !== 'undefined');
  if (!loaded) await page.addScriptTag({ content: readFileSync(join(ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8') });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: unknown, o: unknown): Promise<{ violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[] }> } }).axe;
    // KaTeX's HTML is aria-hidden beside its MathML, and is third-party markup: left out (it is most of the nodes)
    const r = await axe.run({ exclude: [['.katex-html']] }, { resultTypes: ['violations'], runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.impact} ${v.id}: ${v.help} (${v.targets.join('; ')})`);
}
