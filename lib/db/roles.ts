import { sql } from "drizzle-orm";
import type postgres from "postgres";

import { rowsOf, type Database } from "./client";

/**
 * The owner and app roles of decision 0023. The migrations' role (DATABASE_OWNER_URL) owns the event
 * store; the app's role (DATABASE_URL) can only read and append events and snapshots, and owns only
 * the projections a rebuild swaps. Migration 0015's `ledgerline_grant_app_role` does the granting.
 */

/**
 * The tables `rebuildProjections` drops and renames (the rebuilt projections of
 * lib/projections/registry.ts): the app's role owns them, since only an owner may. Written out here
 * because this layer may not import the projections; a rebuilt projection's tables are added here too
 * (a unit test compares the two lists).
 */
export const REBUILT_TABLES = [
  "account_summary",
  "statement_entries",
  "audit_log",
  "transfers_view",
  "sanctions_entries",
  "inbound_payments_view",
  "approvals_view",
] as const;

export type AppRole = { readonly name: string; readonly password?: string };

/** The role a postgres:// URL signs in as, and its password, or undefined when it names no user. */
export function roleOfUrl(url: string): AppRole | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  const name = decodeURIComponent(parsed.username);
  if (!name) return undefined;
  return parsed.password ? { name, password: decodeURIComponent(parsed.password) } : { name };
}

/**
 * With DATABASE_OWNER_URL set, the app's role is DATABASE_URL's user, if it is another one. Its
 * password, when the URL carries one, is given to the role only if the role has to be created.
 */
export function appRoleFor(appUrl: string, ownerUrl: string): AppRole | undefined {
  const app = roleOfUrl(appUrl);
  const owner = roleOfUrl(ownerUrl);
  if (!app || app.name === owner?.name) return undefined;
  return app;
}

/** On the migration's own connection, after the migrations: idempotent. */
export async function grantAppRole(client: postgres.Sql, role: AppRole): Promise<void> {
  // The table names as one text, split by the server: plain parameters either driver sends alike.
  await client.unsafe("select ledgerline_grant_app_role($1::name, $2::text, string_to_array($3::text, ','))", [
    role.name,
    role.password ?? null,
    REBUILT_TABLES.join(","),
  ]);
}

export type StoreProtection = {
  /** Whether this connection's role cannot alter, rewrite or disable the event store's guards. */
  readonly protected: boolean;
  readonly role: string;
  /** Why not: a superuser, or the owner of `events` (or a member of it). */
  readonly reason?: "superuser" | "owner";
  /** False before the first migration (no `events` table yet). */
  readonly storeExists: boolean;
};

/**
 * Whether the role this database connects as could alter the event store: a superuser, or the
 * owner of `events` (or a member of the owner), may disable the append-only trigger or rewrite
 * snapshots. The server warns at start when it could.
 */
export async function storeProtection(db: Database): Promise<StoreProtection> {
  const [row] = rowsOf<{ role: string; superuser: boolean; owner: boolean | null }>(
    await db.execute(sql`
      select current_user::text as role, r.rolsuper as superuser, pg_has_role(current_user, c.relowner, 'USAGE') as owner
        from pg_roles r left join pg_class c on c.oid = to_regclass('public.events')
       where r.rolname = current_user`),
  );
  const storeExists = row?.owner !== null && row?.owner !== undefined;
  if (!row) return { protected: false, role: "unknown", storeExists };
  if (row.superuser) return { protected: false, role: row.role, reason: "superuser", storeExists };
  if (row.owner !== false) return { protected: false, role: row.role, reason: "owner", storeExists };
  return { protected: true, role: row.role, storeExists };
}
