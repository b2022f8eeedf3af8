// What the page shows, as numbers: read by the end-to-end test (window.playground) and handy in
// the browser's console.
import type { NotesState } from './notes/state';
import type { BenchResult } from './protocol';

export interface PageState {
  ready: { backend: string; isolated: boolean; threads: number } | null;
  train: {
    steps: number; epoch: number; firstPerplexity: number | null; perplexity: number | null; valPerplexity: number | null;
    tokensPerSecond: number | null; samples: number; lastSample: string | null;
  };
  lab: { runs: number; series: { label: string; points: number }[]; heatmaps: number };
  checkpoint: { loaded: string | null; generations: number; generated: string | null };
  bench: BenchResult | null;
  errors: { where: string; message: string }[];
  /** The guided path: route, language, figures. */
  notes: NotesState | null;
}

export function pageState(): PageState {
  return {
    ready: null,
    train: { steps: 0, epoch: 0, firstPerplexity: null, perplexity: null, valPerplexity: null, tokensPerSecond: null, samples: 0, lastSample: null },
    lab: { runs: 0, series: [], heatmaps: 0 },
    checkpoint: { loaded: null, generations: 0, generated: null },
    bench: null,
    errors: [],
    notes: null,
  };
}
