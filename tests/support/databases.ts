import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { type DatabaseHandle, openDatabase } from "@/lib/db/client";
import { migrateDatabase } from "@/lib/db/migrate";

/**
 * Integration tests run once per backend: embedded PGlite always, and real Postgres when
 * DATABASE_URL is set. Each test database is fresh: PGlite in memory, or a Postgres database
 * created for the test and dropped after it.
 */
export type TestDatabase = {
  readonly handle: DatabaseHandle;
  readonly db: DatabaseHandle["db"];
  /** Postgres only: the URL of this test's own database. */
  readonly url?: string;
  /** A second, independent connection pool to the same database (Postgres only). */
  openAnother: (poolMax?: number) => Promise<DatabaseHandle>;
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

const realPostgres = (adminUrl: string): Backend => ({
  name: "postgres",
  async create() {
    const created = await createPostgresDatabase(adminUrl);
    const handle = await openDatabase({ kind: "postgres", url: created.url, poolMax: 25 });
    await migrateDatabase(handle, { url: created.url });
    const others: DatabaseHandle[] = [];
    return {
      handle,
      db: handle.db,
      url: created.url,
      async openAnother(poolMax = 5) {
        const other = await openDatabase({ kind: "postgres", url: created.url, poolMax });
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

export const backends: Backend[] = [
  pglite,
  ...(process.env.DATABASE_URL ? [realPostgres(process.env.DATABASE_URL)] : []),
];

export const postgresBackends = backends.filter((backend) => backend.name === "postgres");
