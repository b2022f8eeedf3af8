// The page: the guided path through the notes (one section per #route, from web/src/notes) and the
// tools (#train, #lab, #checkpoints, #bench), a language switch, and window.playground for tests.
// URL flags: ?lang=en|zh; ?tab=train|lab|checkpoints|bench (as #tab); ?bench=lstm-256 runs the benchmark.
import { applyStatic, lang, onLangChange, setLang, t, type Lang } from './i18n';
import { renderSection } from './notes/page';
import { SECTIONS } from './notes/registry';
import { notesState } from './notes/state';
import { pageState } from './state';

const state = pageState();
(window as unknown as { playground: typeof state }).playground = state;
state.notes = notesState;
for (const form of document.forms) form.addEventListener('submit', (e) => e.preventDefault());

const TOOLS = ['train', 'lab', 'checkpoints', 'bench'];
const params = new URLSearchParams(location.search);
let tools: Promise<{ autoBench: boolean }> | undefined;
let shown = '';

/** The route in the URL: a section id, a tool, or 'home'. */
function currentRoute(): string {
  const hash = decodeURIComponent(location.hash.slice(1));
  if (hash && (TOOLS.includes(hash) || SECTIONS.some((s) => s.id === hash))) return hash;
  if (params.has('bench')) return 'bench';
  const tab = params.get('tab');
  if (tab && TOOLS.includes(tab)) return tab;
  return 'home';
}

function buildNav(): void {
  const ol = document.getElementById('nav-sections')!;
  ol.replaceChildren(...SECTIONS.map((s) => {
    const li = document.createElement('li');
    const a = document.createElement('a');
    a.href = `#${s.id}`;
    a.dataset.route = s.id;
    a.textContent = t(`${s.id}.title`);
    li.append(a);
    return li;
  }));
  const home = document.getElementById('home-sections');
  if (home) {
    home.replaceChildren(...SECTIONS.map((s) => {
      const li = document.createElement('li');
      const a = document.createElement('a');
      a.href = `#${s.id}`;
      a.textContent = t(`${s.id}.title`);
      li.append(a, ` — ${t(`${s.id}.blurb`)}`);
      return li;
    }));
  }
}

async function show(route: string, focus: boolean): Promise<void> {
  shown = route;
  notesState.route = route;
  for (const a of document.querySelectorAll<HTMLAnchorElement>('#nav a[data-route]')) {
    if (a.dataset.route === route) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  const isTool = TOOLS.includes(route);
  for (const p of document.querySelectorAll<HTMLElement>('main > .panel')) {
    p.hidden = p.dataset.route !== (isTool ? route : route === 'home' ? 'home' : 'notes');
    if (!p.hidden) applyStatic(p);
  }
  document.title = `${route === 'home' ? t('page.title') : t(isTool ? `nav.${route}` : `${route}.title`)} · recur`;
  if (isTool) {
    tools ??= import('./tools').then((m) => m.startTools(state, params));
    await tools;
    window.dispatchEvent(new Event('resize'));
  } else if (route !== 'home') {
    await renderSection(document.getElementById('notes-root')!, route);
  }
  if (focus) document.querySelector<HTMLElement>(`main > .panel:not([hidden]) h1`)?.focus();
}

const select = document.getElementById('lang') as HTMLSelectElement;
select.value = lang();
select.addEventListener('change', () => setLang(select.value as Lang));
onLangChange((l) => {
  notesState.lang = l;
  select.value = l;
  buildNav();
  void show(shown, false);
});
notesState.lang = lang();
applyStatic(document);
buildNav();
window.addEventListener('hashchange', () => void show(currentRoute(), true));
void show(currentRoute(), false);
