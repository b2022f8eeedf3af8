/**
 * @module train/yield
 * Training loops hand the event loop a turn every ~50 ms, so that a signal handler (Ctrl-C), a
 * timer or a browser message can run and ask them to stop.
 */

/** Let pending callbacks run: setImmediate under Node; elsewhere a MessageChannel round trip (a
 *  zero timeout would do, but browsers stretch nested ones to 4 ms). */
export function yieldToEventLoop(): Promise<void> {
  const g = globalThis as { setImmediate?: (f: () => void) => void };
  if (g.setImmediate) return new Promise((resolve) => g.setImmediate!(resolve));
  if (typeof MessageChannel === 'undefined') return new Promise((resolve) => setTimeout(resolve, 0));
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => { channel.port1.close(); resolve(); };
    channel.port2.postMessage(null);
  });
}
