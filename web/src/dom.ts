// Small DOM helpers: elements by id, numbers from inputs with a clear message, messages.
import { t } from './i18n';

export function $<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page has no #${id}`);
  return el as T;
}

export const inputEl = (id: string) => $<HTMLInputElement>(id);
export const selectEl = (id: string) => $<HTMLSelectElement>(id);

/** An input's number, or an Error naming the field and what it expects. */
export function numberFrom(id: string, name: string, o: { min?: number; max?: number; integer?: boolean } = {}): number {
  const raw = inputEl(id).value.trim();
  const n = Number(raw);
  const lo = o.min ?? -Infinity, hi = o.max ?? Infinity;
  if (raw === '' || !Number.isFinite(n) || (o.integer && !Number.isInteger(n)) || n < lo || n > hi) {
    const range = Number.isFinite(hi) ? `${lo}..${hi}` : `≥ ${lo}`;
    throw new Error(t(o.integer ? 'form.expectedInteger' : 'form.expectedNumber', { name, range, got: JSON.stringify(raw) }));
  }
  return n;
}

/** Show a message in a `.msg` element, or hide it (null). */
export function message(id: string, text: string | null): void {
  const el = $(id);
  el.textContent = text ?? '';
  el.hidden = text === null;
}

export const fmt = (n: number, digits = 0) =>
  Number.isFinite(n) ? n.toLocaleString(document.documentElement.lang || 'en', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '—';

/** A range input whose value is echoed into an <output>. */
export function echo(rangeId: string, outputId: string, onChange?: (v: number) => void): void {
  const r = inputEl(rangeId);
  const show = () => { $(outputId).textContent = Number(r.value).toFixed(2); onChange?.(Number(r.value)); };
  r.addEventListener('input', show);
  show();
}
