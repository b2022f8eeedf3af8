// The worker side of a figure: a table from figure id to a compute function (pure, importable in
// Node for the CLI-equality tests), answered in order; a thrown error becomes one message.
import type { FigureReply, FigureRequest, Params } from './types';

/** A figure's computation: its settings in, a structured-clonable result (or its promise) out. */
export type Compute = (params: Params) => unknown;

/** Serve `computes` in this worker: each request's result (or error message) goes back with its seq. */
export function serveFigures(computes: Record<string, Compute>): void {
  const scope = self as unknown as { postMessage(m: FigureReply): void; onmessage: ((e: MessageEvent<FigureRequest>) => void) | null };
  scope.onmessage = async ({ data }) => {
    const compute = computes[data.figure];
    try {
      if (!compute) throw new Error(`this worker has no figure "${data.figure}"`);
      scope.postMessage({ seq: data.seq, ok: true, result: await compute(data.params) });
    } catch (e) {
      scope.postMessage({ seq: data.seq, ok: false, message: e instanceof Error ? e.message : String(e) });
    }
  };
}
