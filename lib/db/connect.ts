import os from "node:os";

import { env } from "../env";
import { openDatabase, type DatabaseHandle } from "./client";
import { migrateDatabase } from "./migrate";
import { appRoleFor, storeProtection } from "./roles";

/**
 * Whether a Postgres URL goes through a transaction pooler, which hands each transaction to any
 * server connection: prepared statements and session-level advisory locks do not survive there.
 * Recognised: `pgbouncer=true` in the query string (Prisma's convention, kept by many guides), Neon's
 * pooled endpoints (`ep-…-pooler.<region>.…`), Supabase's pooler hosts (`*.pooler.supabase.com`; its
 * session mode on 5432 would keep statements, but `prepare: false` is always correct there, only a
 * little slower) and port 6543 (Supabase's transaction pooler).
 */
export function urlLooksPooled(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.searchParams.get("pgbouncer")?.toLowerCase() === "true") return true;
  const host = parsed.hostname.toLowerCase();
  if (host === "pooler.supabase.com" || host.endsWith(".pooler.supabase.com")) return true;
  if (/^[^.]+-pooler(\.|$)/.test(host)) return true;
  return parsed.port === "6543";
}

export type PostgresSettings = {
  /** The URL to hand to postgres.js. */
  readonly url: string;
  readonly prepare: boolean;
  /** Through a transaction pooler: no prepared statements, and no migrations (they need a session lock). */
  readonly transactionPooler: boolean;
};

/**
 * How to connect to DATABASE_URL. `DATABASE_PREPARE` wins over the guess from the URL: `true` says
 * the server keeps sessions (direct, or a session-mode pooler), `false` says it does not.
 */
export function postgresSettings(url: string, prepareSetting?: "true" | "false"): PostgresSettings {
  const prepare = prepareSetting === undefined ? !urlLooksPooled(url) : prepareSetting === "true";
  return { url: withoutPgbouncerFlag(url), prepare, transactionPooler: !prepare };
}

// postgres.js sends unknown query parameters to the server as startup settings, and Postgres (and
// PgBouncer) refuse a setting named `pgbouncer`: it is only a hint for us, so it goes.
function withoutPgbouncerFlag(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  if (!parsed.searchParams.has("pgbouncer")) return url;
  parsed.searchParams.delete("pgbouncer");
  return parsed.toString();
}

/**
 * Opens the configured database (DATABASE_URL, else embedded PGlite) and applies migrations.
 * `migrate`: `true` applies them or fails (`npm run db:migrate`); `false` leaves them; unset (server
 * start, scripts) applies them, except through a transaction pooler, where they belong to the release
 * step on the direct URL (docs/deploy.md) and are only mentioned in the log.
 */
export async function connectFromEnv(options: { migrate?: boolean; log?: (message: string) => void } = {}): Promise<DatabaseHandle> {
  const config = env();
  const log = options.log ?? console.log;
  if (!config.DATABASE_URL) {
    const handle = await openDatabase({ kind: "pglite", dataDir: config.PGLITE_DATA_DIR });
    if (options.migrate ?? true) await migrateDatabase(handle);
    return handle;
  }
  const settings = postgresSettings(config.DATABASE_URL, config.DATABASE_PREPARE);
  const handle = await openDatabase({
    kind: "postgres",
    url: settings.url,
    poolMax: config.DATABASE_POOL_MAX,
    prepare: settings.prepare,
    // Names this instance's connections in pg_stat_activity (for DBAs and /api/metrics); Postgres keeps 63 bytes.
    applicationName: `ledgerline ${os.hostname()} ${process.pid}`.slice(0, 63),
  });
  if (options.migrate === false) return handle;
  // Migrations run as the owner: DATABASE_OWNER_URL's role when it is set (decision 0023), else
  // DATABASE_URL's own.
  const ownerUrl = config.DATABASE_OWNER_URL;
  const target = ownerUrl ? postgresSettings(ownerUrl) : settings;
  if (options.migrate === undefined && target.transactionPooler) {
    log(
      `[ledgerline] ${ownerUrl ? "DATABASE_OWNER_URL" : "DATABASE_URL"} goes through a transaction pooler: migrations are not applied at start. ` +
        "Apply them at release with `npm run db:migrate` on the direct (unpooled) URL.",
    );
    return handle;
  }
  try {
    // (Through a pooler migrateDatabase refuses first, naming the direct URL.)
    if (!ownerUrl && !target.transactionPooler) {
      // A restricted app role (the owner's URL kept out of the app) cannot migrate: at start the
      // migrations are the release step's, as behind a pooler; `db:migrate` says what is missing.
      const protection = await storeProtection(handle.db);
      if (protection.storeExists && protection.protected) {
        const message =
          `DATABASE_URL's role ${protection.role} does not own the event store, so it cannot apply migrations: ` +
          "set DATABASE_OWNER_URL to the owner role's direct URL for `npm run db:migrate` (docs/deploy.md).";
        if (options.migrate === true) throw new Error(message);
        log(`[ledgerline] ${message} Migrations are not applied at start.`);
        return handle;
      }
    }
    await migrateDatabase(handle, {
      url: target.url,
      transactionPooler: target.transactionPooler,
      appRole: ownerUrl ? appRoleFor(config.DATABASE_URL, ownerUrl) : undefined,
    });
  } catch (error) {
    await handle.close();
    throw error;
  }
  return handle;
}
