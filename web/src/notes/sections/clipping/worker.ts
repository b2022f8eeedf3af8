// The clipping section's worker. Training takes seconds, so the last result is kept: coming back
// to the section (or switching language) with the same settings does not train again.
import { serveFigures, type Compute } from '../../worker-host';
import { computeClip, type ClipParams, type ClipResult } from './compute';

let last: { key: string; result: ClipResult } | undefined;
serveFigures({
  'clipping-run': ((p: ClipParams) => {
    const key = JSON.stringify(p);
    if (last?.key !== key) last = { key, result: computeClip(p) };
    return last.result;
  }) as Compute,
});
