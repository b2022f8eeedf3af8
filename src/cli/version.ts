/**
 * @module cli/version
 * recur's version, read from its package.json (dist/src/cli → ../../../package.json).
 */
import { createRequire } from 'node:module';

/** recur's version, as package.json says. */
export function version(): string {
  return (createRequire(import.meta.url)('../../../package.json') as { version: string }).version;
}
