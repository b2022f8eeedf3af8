// The sections of the guided path, found on disk: every web/src/notes/sections/<id>/section.ts is a
// section (loaded when first visited). ORDER is the notes' reading order; a section not listed in
// it comes after the listed ones, in name order.
import type { SectionSpec } from './types';

/** The reading order of the notes. */
export const ORDER = ['memory', 'bptt', 'vanishing', 'clipping', 'gates', 'deep', 'residual'];

const modules = import.meta.glob<SectionSpec>('./sections/*/section.ts', { import: 'default' });

export interface SectionEntry { id: string; load: () => Promise<SectionSpec> }

/** Every section present, in reading order. Its title is the dictionary key `<id>.title`. */
export const SECTIONS: SectionEntry[] = Object.entries(modules)
  .map(([path, load]) => ({ id: /sections\/([^/]+)\/section\.ts$/.exec(path)![1]!, load }))
  .sort((a, b) => rank(a.id) - rank(b.id) || a.id.localeCompare(b.id));

function rank(id: string): number {
  const i = ORDER.indexOf(id);
  return i < 0 ? ORDER.length : i;
}
