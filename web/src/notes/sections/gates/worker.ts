// The gates section's worker: The Time Machine ships inside it (the text the CLI's --data
// timemachine reads). Training takes seconds, so results are kept by their training settings:
// picking another unit, or coming back to the section, does not train again.
import text from '../../../../../data/timemachine.txt?raw';
import { serveFigures, type Compute } from '../../worker-host';
import { computeGates, normGates, type GatesParams, type GatesResult } from './compute';

const results = new Map<string, Promise<GatesResult>>();
serveFigures({
  'gates-text': ((p: GatesParams) => {
    const key = JSON.stringify({ ...normGates(p), unit: 0 });
    if (!results.has(key)) {
      const r = computeGates(p, text);
      r.catch(() => results.delete(key)); // a failed run is not kept
      results.set(key, r);
    }
    return results.get(key)!;
  }) as Compute,
});
