import os from "node:os";
import { env } from "../env";
import { type DatabaseHandle, openDatabase } from "./client";
import { migrateDatabase } from "./migrate";

/** Opens the configured database (DATABASE_URL, else embedded PGlite) and applies migrations. */
export async function connectFromEnv(options: { migrate?: boolean } = {}): Promise<DatabaseHandle> {
  const config = env();
  const handle = config.DATABASE_URL
    ? await openDatabase({
        kind: "postgres",
        url: config.DATABASE_URL,
        poolMax: config.DATABASE_POOL_MAX,
        prepare: config.DATABASE_PREPARE === undefined ? undefined : config.DATABASE_PREPARE === "true",
        // Names this instance's connections in pg_stat_activity (for DBAs and /api/metrics); Postgres keeps 63 bytes.
        applicationName: `ledgerline ${os.hostname()} ${process.pid}`.slice(0, 63),
      })
    : await openDatabase({ kind: "pglite", dataDir: config.PGLITE_DATA_DIR });
  if (options.migrate ?? true) await migrateDatabase(handle, { url: config.DATABASE_URL });
  return handle;
}
