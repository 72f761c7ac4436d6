import "server-only";
import { env } from "../env";
import { type DatabaseHandle, openDatabase } from "./client";
import { migrateDatabase } from "./migrate";

type Cache = { handle?: Promise<DatabaseHandle> };
// On globalThis, not in module scope: Next may load this module in more than one bundle
// (instrumentation, route handlers), and PGlite must be opened once per process.
const cache = ((globalThis as { __ledgerlineDb?: Cache }).__ledgerlineDb ??= {});

/** The app's database, opened and migrated once per process. */
export function database(): Promise<DatabaseHandle> {
  cache.handle ??= connect().catch((error: unknown) => {
    cache.handle = undefined;
    throw error;
  });
  return cache.handle;
}

async function connect(): Promise<DatabaseHandle> {
  const config = env();
  const handle = config.DATABASE_URL
    ? await openDatabase({
        kind: "postgres",
        url: config.DATABASE_URL,
        poolMax: config.DATABASE_POOL_MAX,
        prepare: config.DATABASE_PREPARE === undefined ? undefined : config.DATABASE_PREPARE === "true",
      })
    : await openDatabase({ kind: "pglite", dataDir: config.PGLITE_DATA_DIR });
  await migrateDatabase(handle, { url: config.DATABASE_URL });
  return handle;
}
