// The contract between a section of the notes and the page (see web/SECTIONS.md): a section is
// text blocks (dictionary keys, with $TeX$) and figures. A figure names its worker, its controls and
// "try this" presets, the `recur …` command that reproduces its numbers, and how to draw a result.

/** A figure's settings: what the controls edit, the worker computes from, and the command says. */
export type ParamValue = number | string | boolean;
export type Params = Record<string, ParamValue>;

/** One control of a figure; `label` (and an option's label) is a dictionary key. */
export type Control =
  | { kind: 'range'; name: string; label: string; min: number; max: number; step: number; digits?: number }
  | { kind: 'number'; name: string; label: string; min: number; max: number; step?: number }
  | { kind: 'select'; name: string; label: string; options: { value: string; label: string }[] }
  | { kind: 'checkbox'; name: string; label: string };

/** A "try this" button: a dictionary key for its label, and the settings it applies. */
export interface Preset<P extends Params> { label: string; params: Partial<P> }

/** What a drawn figure shows, as plain values: written to the figure's data-facts attribute and to
 *  window.playground.notes.figures[id].facts, where the end-to-end test reads them. */
export type FigureFacts = Record<string, string | number | boolean | null>;

/** A live figure. Its numbers come from `worker` (which calls recur), never from the page's thread. */
export interface FigureSpec<P extends Params = Params, R = unknown> {
  /** Unique in the page, "<section>-<name>"; the worker's compute table is keyed by it. */
  id: string;
  /** Dictionary keys: the figure's title (plain) and caption (rich: markup and $TeX$). */
  title: string;
  caption: string;
  /** The worker computing this figure: `() => new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' })`
   *  (the literal URL is how Vite finds and bundles it). One instance per figure, created on first use. */
  worker: () => Worker;
  defaults: P;
  controls: Control[];
  presets: Preset<P>[];
  /** Recompute as the controls move (default), or only on the Run button (heavy figures). */
  live?: boolean;
  /** The command line that prints the same numbers, e.g. `recur gradients --cell rnn … --json`. */
  command(p: P): string;
  /** Draw `result` into `plot` (emptied first; plot.clientWidth is the room) and say what it shows.
   *  `set` changes settings from the drawing itself (e.g. a window dragged along a chart): the
   *  controls follow and the figure recomputes. */
  draw(plot: HTMLElement, result: R, params: P, set: (change: Partial<P>) => void): FigureFacts;
}

/** A section's content, in reading order. */
export type Block =
  | { kind: 'text'; key: string }
  | { kind: 'figure'; spec: FigureSpec<any, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A section: web/src/notes/sections/<id>/section.ts exports one as default. */
export interface SectionSpec {
  id: string;
  blocks: Block[];
}

/** A paragraph (or several: the string may hold <p>, lists, $TeX$ and $$display TeX$$). */
export const text = (key: string): Block => ({ kind: 'text', key });
/** A live figure. */
export const figure = <P extends Params, R>(spec: FigureSpec<P, R>): Block => ({ kind: 'figure', spec });

/** Messages to and from a figure worker (see worker-host.ts). */
export interface FigureRequest { seq: number; figure: string; params: Params }
export type FigureReply = { seq: number; ok: true; result: unknown } | { seq: number; ok: false; message: string };
