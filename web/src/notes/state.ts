// What the guided path shows, as plain values (window.playground.notes): the route, the language,
// and every figure's state, settings and facts, read by the end-to-end test.
import type { FigureFacts, Params } from './types';

export interface FigureState { state: 'computing' | 'ready' | 'error'; runs: number; params: Params; facts: FigureFacts | null; error: string | null }
export interface NotesState { route: string; lang: string; figures: Record<string, FigureState> }

export const notesState: NotesState = { route: '', lang: '', figures: {} };

/** The state of figure `id`, created on first use. */
export function figureState(id: string): FigureState {
  return (notesState.figures[id] ??= { state: 'computing', runs: 0, params: {}, facts: null, error: null });
}
