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
      })
    : await openDatabase({ kind: "pglite", dataDir: config.PGLITE_DATA_DIR });
  if (options.migrate ?? true) await migrateDatabase(handle, { url: config.DATABASE_URL });
  return handle;
}
