// The page's two languages. Every string the page shows comes from a dictionary: the shell's
// (web/src/i18n/{en,zh}.json) and each section's (web/src/notes/sections/<id>/{en,zh}.json), found
// by Vite's glob import, so a new section adds its strings without touching anyone else's file.
// Static HTML says which string it shows with data-i18n="key" (text), data-i18n-html="key" (text with
// markup and $TeX$) and data-i18n-attr="attr:key;attr:key". Code calls t('key', { name: value }).
// The choice persists in localStorage; ?lang=zh|en overrides it for one visit.

export type Lang = 'en' | 'zh';
export const LANGS: readonly Lang[] = ['en', 'zh'];
type Dict = Record<string, string>;

const shell = import.meta.glob<Dict>('./i18n/*.json', { eager: true, import: 'default' });
const sections = import.meta.glob<Dict>('./notes/sections/*/*.json', { eager: true, import: 'default' });

/** Every key of every dictionary, per language. */
const dicts: Record<Lang, Dict> = { en: {}, zh: {} };
for (const [path, dict] of Object.entries({ ...shell, ...sections })) {
  const lang = /\/(en|zh)\.json$/.exec(path)?.[1] as Lang | undefined;
  if (lang) Object.assign(dicts[lang], dict);
}

const STORAGE_KEY = 'recur.lang';
let current: Lang = initialLang();
const listeners = new Set<(lang: Lang) => void>();

function initialLang(): Lang {
  const asked = new URLSearchParams(location.search).get('lang');
  if (asked === 'en' || asked === 'zh') return asked;
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (saved === 'en' || saved === 'zh') return saved;
  } catch { /* storage blocked: the browser's language */ }
  return navigator.language.toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

/** The language shown. */
export const lang = (): Lang => current;

/** The string for `key` in the current language, with {name} replaced by vars.name. A missing key
 *  shows as ⟦key⟧ (the i18n test fails on any such key in the code). */
export function t(key: string, vars: Record<string, string | number> = {}): string {
  const s = dicts[current][key] ?? dicts.en[key];
  if (s === undefined) return `⟦${key}⟧`;
  return s.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
}

/** Whether a key exists (in English, the reference language). */
export const has = (key: string): boolean => key in dicts.en;

/** Switch language: remembered, the static page re-labelled, and every listener told. */
export function setLang(l: Lang): void {
  current = l;
  try { localStorage.setItem(STORAGE_KEY, l); } catch { /* not remembered */ }
  applyStatic(document);
  for (const f of listeners) f(l);
}

/** Call f after every language switch; returns the unsubscribe. */
export function onLangChange(f: (lang: Lang) => void): () => void {
  listeners.add(f);
  return () => listeners.delete(f);
}

/** Label the static elements under root: data-i18n, data-i18n-html, data-i18n-attr; <html lang>.
 *  Rich strings inside a hidden panel wait until it is shown (main.ts applies them then), so a
 *  tool's TeX does not fetch KaTeX for the home page. */
export function applyStatic(root: ParentNode): void {
  document.documentElement.lang = current === 'zh' ? 'zh-CN' : 'en';
  for (const el of root.querySelectorAll<HTMLElement>('[data-i18n]')) el.textContent = t(el.dataset.i18n!);
  for (const el of root.querySelectorAll<HTMLElement>('[data-i18n-html]')) if (!el.closest('[hidden]')) setRich(el, t(el.dataset.i18nHtml!));
  for (const el of root.querySelectorAll<HTMLElement>('[data-i18n-attr]')) {
    for (const pair of el.dataset.i18nAttr!.split(';')) {
      const [attr, key] = pair.split(':');
      if (attr && key) el.setAttribute(attr.trim(), t(key.trim()));
    }
  }
}

let math: typeof import('./math') | undefined;
let mathLoading: Promise<void> | undefined; // KaTeX, fetched when a string first has TeX

/** Put a dictionary string with markup into el, its $inline$ and $$display$$ TeX typeset by KaTeX
 *  (loaded once, in its own chunk). data-typeset says "pending" until the math is in. */
export function setRich(el: HTMLElement, html: string): void {
  if (!html.includes('$')) { el.innerHTML = html; return; } // our own dictionaries, never user input
  if (math) { el.innerHTML = math.typesetString(html); el.dataset.typeset = 'done'; return; }
  el.dataset.typeset = 'pending';
  el.dataset.pendingHtml = html;
  mathLoading ??= import('./math').then((m) => { math = m; });
  void mathLoading.then(() => {
    if (el.dataset.pendingHtml !== html) return; // replaced meanwhile
    delete el.dataset.pendingHtml;
    el.innerHTML = math!.typesetString(html);
    el.dataset.typeset = 'done';
  });
}
