import type { DatabaseHandle } from "./client";
import { connectFromEnv } from "./connect";

type Cache = { handle?: Promise<DatabaseHandle> };
// On globalThis, not in module scope: Next may load this module in more than one bundle
// (instrumentation, route handlers), and PGlite must be opened once per process.
const cache = ((globalThis as { __ledgerlineDb?: Cache }).__ledgerlineDb ??= {});

/** The process's database, opened and migrated once. */
export function processDatabase(): Promise<DatabaseHandle> {
  cache.handle ??= connectFromEnv().catch((error: unknown) => {
    cache.handle = undefined;
    throw error;
  });
  return cache.handle;
}
