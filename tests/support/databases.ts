import { randomBytes } from "node:crypto";

import postgres from "postgres";

import { openDatabase, type DatabaseHandle } from "@/lib/db/client";
import { migrateDatabase } from "@/lib/db/migrate";
import type { AppRole } from "@/lib/db/roles";

/**
 * Integration tests run once per backend: embedded PGlite always, and real Postgres when
 * DATABASE_URL is set. Each test database is fresh: PGlite in memory, or a Postgres database
 * created for the test and dropped after it. With TEST_DATABASE_ROLES=split the Postgres backend
 * migrates as DATABASE_URL's role (the owner) and the tests' app connects as the restricted app
 * role TEST_APP_ROLE, as a deployment with DATABASE_OWNER_URL does (decision 0023).
 */
export type TestDatabase = {
  readonly handle: DatabaseHandle;
  readonly db: DatabaseHandle["db"];
  /** Postgres only: the URL of this test's own database, as the app connects to it. */
  readonly url?: string;
  /** Postgres only: the URL of the role that migrated it (the same as `url` unless roles are split). */
  readonly ownerUrl?: string;
  /** A second, independent connection pool to the same database (Postgres only). */
  openAnother: (poolMax?: number) => Promise<DatabaseHandle>;
  /**
   * A connection as the role that migrated the database, for what only an owner (or an attacker
   * with its rights) can do: tamper with snapshots, create roles. The app's own handle on PGlite
   * and with one role; closed by `drop`.
   */
  openOwner: () => Promise<DatabaseHandle>;
  drop: () => Promise<void>;
};

export type Backend = { readonly name: "pglite" | "postgres"; create: () => Promise<TestDatabase> };

const pglite: Backend = {
  name: "pglite",
  async create() {
    const handle = await openDatabase({ kind: "pglite", dataDir: "memory" });
    await migrateDatabase(handle);
    return {
      handle,
      db: handle.db,
      openAnother: () => Promise.reject(new Error("PGlite is one connection per process")),
      openOwner: async () => handle,
      drop: () => handle.close(),
    };
  },
};

export function withDatabaseName(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

export async function createPostgresDatabase(adminUrl: string, prefix = "ll_test"): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${process.pid}_${randomBytes(4).toString("hex")}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  return {
    url: withDatabaseName(adminUrl, name),
    async drop() {
      const cleaner = postgres(adminUrl, { max: 1, onnotice: () => {} });
      try {
        await cleaner.unsafe(`drop database if exists "${name}" with (force)`);
      } finally {
        await cleaner.end();
      }
    },
  };
}

/**
 * The app role of split-role test databases. Roles belong to the whole cluster, so every test
 * database grants this one role; creating it is idempotent and safe from parallel test files
 * (ledgerline_grant_app_role). The password only matters on a server that asks for one.
 */
export const TEST_APP_ROLE: AppRole = { name: "ledgerline_test_app", password: "ledgerline-test-app-password" };

export function withUser(url: string, role: AppRole): string {
  const parsed = new URL(url);
  parsed.username = encodeURIComponent(role.name);
  parsed.password = role.password ? encodeURIComponent(role.password) : "";
  return parsed.toString();
}

/** A fresh database migrated by adminUrl's role, with TEST_APP_ROLE granted: the app's URL is `appUrl`. */
export async function createSplitRoleDatabase(
  adminUrl: string,
  prefix = "ll_roles",
): Promise<{ ownerUrl: string; appUrl: string; drop: () => Promise<void> }> {
  const created = await createPostgresDatabase(adminUrl, prefix);
  try {
    // migrateDatabase only needs the handle's kind; it opens its own connection on the owner's URL.
    await migrateDatabase({ kind: "postgres" } as DatabaseHandle, { url: created.url, appRole: TEST_APP_ROLE });
  } catch (error) {
    await created.drop();
    throw error;
  }
  return { ownerUrl: created.url, appUrl: withUser(created.url, TEST_APP_ROLE), drop: created.drop };
}

const realPostgres = (adminUrl: string): Backend => ({
  name: "postgres",
  async create() {
    const split = process.env.TEST_DATABASE_ROLES === "split";
    const created = split ? await createSplitRoleDatabase(adminUrl, "ll_test") : await createPostgresDatabase(adminUrl);
    const ownerUrl = "ownerUrl" in created ? created.ownerUrl : created.url;
    const url = "appUrl" in created ? created.appUrl : created.url;
    const handle = await openDatabase({ kind: "postgres", url, poolMax: 25 });
    if (!split) await migrateDatabase(handle, { url });
    const others: DatabaseHandle[] = [];
    return {
      handle,
      db: handle.db,
      url,
      ownerUrl,
      async openAnother(poolMax = 5) {
        const other = await openDatabase({ kind: "postgres", url, poolMax });
        others.push(other);
        return other;
      },
      async openOwner() {
        if (!split) return handle;
        const other = await openDatabase({ kind: "postgres", url: ownerUrl, poolMax: 2 });
        others.push(other);
        return other;
      },
      async drop() {
        await Promise.all([handle, ...others].map((h) => h.close()));
        await created.drop();
      },
    };
  },
});

export const backends: Backend[] = [pglite, ...(process.env.DATABASE_URL ? [realPostgres(process.env.DATABASE_URL)] : [])];

export const postgresBackends = backends.filter((backend) => backend.name === "postgres");
