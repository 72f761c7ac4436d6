import { existsSync } from "node:fs";
import path from "node:path";

import { sql } from "drizzle-orm";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";

import { AdapterBroken, pgliteOf } from "./adapter";
import type { DatabaseHandle } from "./client";
import { grantAppRole, type AppRole } from "./roles";

// The working directory is the project in the repo (npm scripts, next start) and the server's own
// folder in the standalone build (its server.js changes into it), where scripts/standalone-prepare.mjs
// copies drizzle/. Kept as this plain expression so Next's file tracing sees the folder too.
export const MIGRATIONS_FOLDER = path.join(process.cwd(), "drizzle");

// Any constant will do; it only has to be the same in every instance.
const MIGRATION_LOCK_KEY = 7_317_001;

/**
 * Applies drizzle-kit's migrations. On Postgres this runs on its own single connection under an
 * advisory lock, so several instances starting together migrate once, in turn. `url` is the
 * owner's; with `appRole`, the app's role is then created if missing and given its grants
 * (lib/db/roles.ts), under the same lock.
 */
export async function migrateDatabase(
  handle: DatabaseHandle,
  options: { url?: string; migrationsFolder?: string; transactionPooler?: boolean; appRole?: AppRole } = {},
): Promise<void> {
  const migrationsFolder = options.migrationsFolder ?? MIGRATIONS_FOLDER;
  if (!existsSync(path.join(migrationsFolder, "meta", "_journal.json"))) {
    throw new Error(
      `No migrations at ${migrationsFolder} (meta/_journal.json is missing). Run from the project folder, ` +
        "or for the standalone server copy drizzle/ beside server.js with `node scripts/standalone-prepare.mjs`.",
    );
  }
  if (handle.kind === "pglite") {
    // The migrator wants PGlite's own Drizzle type: a second Drizzle database on the same PGlite.
    const pglite = pgliteOf(handle.db);
    if (!pglite) throw new AdapterBroken("a PGlite handle's database has no PGlite `$client`");
    await migratePglite(drizzlePglite({ client: pglite }), { migrationsFolder });
    return;
  }
  if (!options.url) throw new Error("migrateDatabase needs the Postgres URL");
  // A transaction pooler may run the unlock on another server connection than the lock, leaving the
  // lock held there and every later migration waiting for it: migrate on the direct URL instead.
  if (options.transactionPooler) {
    throw new Error(
      "Refusing to migrate through a transaction pooler (DATABASE_URL looks pooled). Run `npm run db:migrate` " +
        "with DATABASE_URL set to the direct, unpooled URL; set DATABASE_PREPARE=true if this URL keeps sessions.",
    );
  }
  const client = postgres(options.url, { max: 1, onnotice: () => {} });
  try {
    const db = drizzlePostgres({ client });
    await db.execute(sql`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`);
    try {
      await migratePostgres(db, { migrationsFolder });
      if (options.appRole) await grantAppRole(client, options.appRole);
    } finally {
      await db.execute(sql`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`);
    }
  } finally {
    await client.end({ timeout: 5 });
  }
}
