// A live figure on the page: its controls, "try this" presets, the plot its worker's result is drawn
// into, a status line, the caption and the reproducing `recur` command. Runners outlive the DOM (a
// language switch redraws the last result without recomputing); a request made while the worker is
// still busy ends that worker and starts a fresh one, so a stale computation never holds the figure.
import { setRich, t } from '../i18n';
import { figureState } from './state';
import type { Control, FigureReply, FigureSpec, Params } from './types';

const runners = new Map<string, FigureRunner>();

/** The figure's element, built (or rebuilt, keeping its settings and last result) for `spec`. */
export function mountFigure(spec: FigureSpec<any, any>): HTMLElement { // eslint-disable-line @typescript-eslint/no-explicit-any
  let r = runners.get(spec.id);
  if (!r) { r = new FigureRunner(spec); runners.set(spec.id, r); }
  return r.mount();
}

class FigureRunner {
  private params: Params;
  private result: unknown;
  private worker: Worker | undefined;
  private busy = false;
  private seq = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private el!: HTMLElement;
  private plot!: HTMLElement;
  private status!: HTMLElement;
  private cli!: HTMLElement;
  private drawnWidth = 0;
  private observer: ResizeObserver | undefined;

  constructor(private readonly spec: FigureSpec) {
    this.params = { ...spec.defaults };
  }

  mount(): HTMLElement {
    const s = this.spec;
    const el = document.createElement('figure');
    el.className = 'fig';
    el.id = `fig-${s.id}`;
    el.dataset.figure = s.id;
    const title = document.createElement('h2');
    title.id = `fig-${s.id}-title`;
    title.textContent = t(s.title);
    el.setAttribute('aria-labelledby', title.id);
    const controls = document.createElement('div');
    controls.className = 'fig-controls';
    for (const c of s.controls) controls.append(this.control(c));
    if (s.live === false) {
      const run = document.createElement('button');
      run.type = 'button';
      run.className = 'primary';
      run.textContent = t('figure.run');
      run.addEventListener('click', () => this.request(0));
      controls.append(run);
    }
    this.plot = document.createElement('div');
    this.plot.className = 'fig-plot';
    this.status = document.createElement('p');
    this.status.className = 'fig-status';
    this.status.setAttribute('role', 'status');
    const caption = document.createElement('figcaption');
    setRich(caption, t(s.caption));
    this.cli = document.createElement('p');
    this.cli.className = 'fig-cli';
    el.append(title, this.presets(), controls, this.plot, this.status, caption, this.cli);
    this.el = el;
    this.showCommand();
    if (this.result !== undefined) requestAnimationFrame(() => this.draw());
    else this.request(0);
    this.observer?.disconnect(); // the previous element's (a language switch rebuilds the figure)
    this.observer = new ResizeObserver(() => { if (this.result !== undefined && Math.abs(this.plot.clientWidth - this.drawnWidth) > 24) this.draw(); });
    this.observer.observe(this.plot);
    return el;
  }

  private presets(): HTMLElement {
    const box = document.createElement('div');
    box.className = 'fig-presets';
    box.setAttribute('role', 'group');
    const label = document.createElement('span');
    label.id = `fig-${this.spec.id}-presets`;
    label.textContent = t('figure.try');
    box.setAttribute('aria-labelledby', label.id);
    box.append(label);
    this.spec.presets.forEach((p, i) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'preset';
      b.dataset.preset = String(i);
      b.textContent = t(p.label);
      b.addEventListener('click', () => {
        this.apply({ ...this.spec.defaults, ...p.params } as Params);
      });
      box.append(b);
    });
    const reset = document.createElement('button');
    reset.type = 'button';
    reset.className = 'reset';
    reset.textContent = t('figure.reset');
    reset.addEventListener('click', () => this.apply({ ...this.spec.defaults }));
    box.append(reset);
    return box;
  }

  private control(c: Control): HTMLElement {
    const id = `fig-${this.spec.id}-${c.name}`;
    const label = document.createElement('label');
    label.htmlFor = id;
    label.className = c.kind === 'checkbox' ? 'check' : '';
    const name = document.createElement('span');
    name.textContent = t(c.label);
    let input: HTMLInputElement | HTMLSelectElement;
    if (c.kind === 'select') {
      input = document.createElement('select');
      for (const o of c.options) input.append(new Option(t(o.label), o.value));
    } else {
      input = document.createElement('input');
      input.type = c.kind === 'checkbox' ? 'checkbox' : c.kind;
      if (c.kind !== 'checkbox') Object.assign(input, { min: String(c.min), max: String(c.max), step: String(c.step ?? 'any') });
    }
    input.id = id;
    input.name = c.name;
    const out = document.createElement('output');
    out.htmlFor.add(id);
    const read = () => {
      const v = c.kind === 'checkbox' ? (input as HTMLInputElement).checked : c.kind === 'select' ? input.value : Number(input.value);
      if (typeof v === 'number' && !Number.isFinite(v)) return;
      if (c.kind === 'number' && typeof v === 'number' && (v < c.min || v > c.max)) {
        this.setStatus('error', t('figure.range', { name: t(c.label), min: c.min, max: c.max }));
        return;
      }
      this.params = { ...this.params, [c.name]: v };
      if (c.kind === 'range') out.textContent = Number(v).toFixed(c.digits ?? 2);
      this.request(c.kind === 'range' ? 120 : 0);
    };
    input.addEventListener(c.kind === 'range' ? 'input' : 'change', read);
    if (c.kind === 'checkbox') label.append(input, name);
    else label.append(name, input);
    if (c.kind === 'range') label.append(out);
    queueMicrotask(() => this.syncControl(c));
    return label;
  }

  /** New settings, shown in the controls, then computed. */
  private apply(p: Params): void {
    this.params = p;
    for (const c of this.spec.controls) this.syncControl(c);
    this.request(0);
  }

  /** Put the current setting into the control. */
  private syncControl(c: Control): void {
    const input = this.el?.querySelector<HTMLInputElement>(`#fig-${this.spec.id}-${c.name}`) ?? document.getElementById(`fig-${this.spec.id}-${c.name}`) as HTMLInputElement | null;
    if (!input) return;
    const v = this.params[c.name];
    if (c.kind === 'checkbox') input.checked = v === true;
    else input.value = String(v);
    if (c.kind === 'range') { const out = input.parentElement?.querySelector('output'); if (out) out.textContent = Number(v).toFixed(c.digits ?? 2); }
  }

  private showCommand(): void {
    const label = document.createElement('span');
    label.textContent = t('figure.reproduce');
    const code = document.createElement('code');
    code.textContent = this.spec.command(this.params as never);
    const copy = document.createElement('button');
    copy.type = 'button';
    copy.className = 'copy';
    copy.textContent = t('figure.copy');
    copy.addEventListener('click', () => { void navigator.clipboard?.writeText(code.textContent ?? '').then(() => { copy.textContent = t('figure.copied'); }); });
    this.cli.replaceChildren(label, ' ', code, ' ', copy);
  }

  /** Ask the worker for the current settings, after `delay` ms of quiet. */
  private request(delay: number): void {
    clearTimeout(this.timer);
    this.showCommand();
    this.timer = setTimeout(() => {
      if (this.busy) { this.worker?.terminate(); this.worker = undefined; } // a stale computation: drop it
      if (!this.worker) {
        this.worker = this.spec.worker();
        this.worker.onmessage = (e: MessageEvent<FigureReply>) => this.reply(e.data);
        this.worker.onerror = (e) => { this.busy = false; this.setStatus('error', e.message || t('figure.workerFailed')); };
      }
      this.busy = true;
      const seq = ++this.seq;
      this.setStatus('computing', t('figure.computing'));
      this.worker.postMessage({ seq, figure: this.spec.id, params: this.params });
    }, delay);
  }

  private reply(m: FigureReply): void {
    if (m.seq !== this.seq) return;
    this.busy = false;
    if (!m.ok) { this.setStatus('error', m.message); return; }
    this.result = m.result;
    this.draw();
  }

  private draw(): void {
    if (!this.el.isConnected) return;
    try {
      this.plot.replaceChildren();
      this.drawnWidth = this.plot.clientWidth;
      const facts = this.spec.draw(this.plot, this.result, this.params as never, (change) => this.apply({ ...this.params, ...(change as Params) }));
      this.el.dataset.facts = JSON.stringify(facts);
      const st = figureState(this.spec.id);
      st.runs++;
      st.facts = facts;
      st.params = { ...this.params };
      this.setStatus('ready', '');
    } catch (e) {
      this.setStatus('error', e instanceof Error ? e.message : String(e));
    }
  }

  private setStatus(state: 'computing' | 'ready' | 'error', text: string): void {
    this.el.dataset.state = state;
    this.status.textContent = text;
    this.status.classList.toggle('error', state === 'error');
    const st = figureState(this.spec.id);
    st.state = state;
    st.error = state === 'error' ? text : null;
  }
}
