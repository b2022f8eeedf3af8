// The figures' settings come from the page or a hand-edited URL: each is checked before any work.
import { RecurError } from '../../../src/index.js';

/** v when it is an integer in lo…hi; otherwise a RecurError naming the setting (the figure's status line). */
export function integerIn(v: number, name: string, lo: number, hi = Infinity): number {
  if (!(Number.isInteger(v) && v >= lo && v <= hi)) {
    throw new RecurError(`${name}: expected an integer ${hi === Infinity ? `≥ ${lo}` : `in ${lo}…${hi}`}, got ${v}`);
  }
  return v;
}
