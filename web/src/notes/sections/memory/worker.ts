// The memory section's worker: the shipped series fetched once (Vite serves data/ as assets), then
// recur forecast's fit and scores.
import airlineUrl from '../../../../../data/airline-passengers.csv?url';
import sunspotsUrl from '../../../../../data/sunspots.csv?url';
import { serveFigures } from '../../worker-host';
import { computeMemory, type MemoryParams, type MemoryTexts } from './compute';

let texts: Promise<MemoryTexts> | undefined;
const fetchText = (url: string) => fetch(url).then((r) => { if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`); return r.text(); });

serveFigures({
  'memory-loops': async (p) => {
    texts ??= Promise.all([fetchText(airlineUrl), fetchText(sunspotsUrl)]).then(([airline, sunspots]) => ({ airline, sunspots }));
    return computeMemory(p as MemoryParams, await texts);
  },
});
