// One section of the notes on the page: its title, its text blocks (typeset) and live figures, and
// links to the previous and next sections. Rebuilt on a language switch; figures keep their state.
import { setRich, t } from '../i18n';
import { mountFigure } from './figure';
import { SECTIONS } from './registry';
import type { SectionSpec } from './types';

const loaded = new Map<string, SectionSpec>();

/** Render section `id` into root (replacing what is there). */
export async function renderSection(root: HTMLElement, id: string): Promise<void> {
  const entry = SECTIONS.find((s) => s.id === id);
  if (!entry) throw new Error(`no section "${id}"`);
  let spec = loaded.get(id);
  if (!spec) { spec = await entry.load(); loaded.set(id, spec); }
  const article = document.createElement('article');
  article.className = 'notes-section';
  article.dataset.section = id;
  const h = document.createElement('h1');
  h.textContent = t(`${id}.title`);
  h.tabIndex = -1; // focus lands here on navigation
  article.append(h);
  for (const b of spec.blocks) {
    if (b.kind === 'text') {
      const div = document.createElement('div');
      div.className = 'notes-text';
      div.dataset.key = b.key;
      setRich(div, t(b.key));
      article.append(div);
    } else {
      article.append(mountFigure(b.spec));
    }
  }
  article.append(pager(id));
  root.replaceChildren(article);
}

function pager(id: string): HTMLElement {
  const i = SECTIONS.findIndex((s) => s.id === id);
  const nav = document.createElement('nav');
  nav.className = 'pager';
  nav.setAttribute('aria-label', t('nav.pager'));
  const link = (s: { id: string } | undefined, key: string, cls: string) => {
    if (!s) return;
    const a = document.createElement('a');
    a.href = `#${s.id}`;
    a.className = cls;
    a.textContent = `${t(key)}: ${t(`${s.id}.title`)}`;
    nav.append(a);
  };
  link(SECTIONS[i - 1], 'nav.previous', 'prev');
  link(SECTIONS[i + 1], 'nav.next', 'next');
  return nav;
}
