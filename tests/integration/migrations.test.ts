import { readFileSync } from "node:fs";
import path from "node:path";

import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";

import { openDatabase, rowsOf, type DatabaseHandle } from "@/lib/db/client";
import { migrateDatabase, MIGRATIONS_FOLDER } from "@/lib/db/migrate";

import { createPostgresDatabase } from "../support/databases";

const journal = JSON.parse(readFileSync(path.join(MIGRATIONS_FOLDER, "meta", "_journal.json"), "utf8")) as { entries: unknown[] };

async function appliedMigrations(handle: DatabaseHandle): Promise<number> {
  const rows = rowsOf<{ n: number }>(await handle.db.execute(sql`select count(*)::int as n from drizzle.__drizzle_migrations`));
  return rows[0]?.n ?? 0;
}

describe("migrations on PGlite", () => {
  it("apply once: a second run (a restart) changes nothing", async () => {
    const handle = await openDatabase({ kind: "pglite", dataDir: "memory" });
    try {
      await migrateDatabase(handle);
      await migrateDatabase(handle);
      expect(await appliedMigrations(handle)).toBe(journal.entries.length);
    } finally {
      await handle.close();
    }
  });
});

// Real Postgres only (DATABASE_URL is the admin URL the test databases are made from).
describe.each(process.env.DATABASE_URL ? [process.env.DATABASE_URL] : [])("migrations on a fresh Postgres database", (adminUrl) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup();
  });

  it("two instances starting together both succeed, and each migration is applied exactly once", async () => {
    const created = await createPostgresDatabase(adminUrl, "ll_migrate");
    const first = await openDatabase({ kind: "postgres", url: created.url, poolMax: 2 });
    const second = await openDatabase({ kind: "postgres", url: created.url, poolMax: 2 });
    cleanups.push(async () => {
      await Promise.all([first.close(), second.close()]);
      await created.drop();
    });

    const results = await Promise.allSettled([migrateDatabase(first, { url: created.url }), migrateDatabase(second, { url: created.url })]);
    expect(results.map((result) => (result.status === "rejected" ? String(result.reason) : "ok"))).toEqual(["ok", "ok"]);

    expect(await appliedMigrations(first)).toBe(journal.entries.length);
    const tables = rowsOf<{ name: string }>(
      await first.db.execute(sql`select table_name as name from information_schema.tables where table_schema = 'public'`),
    );
    expect(tables.map((table) => table.name)).toEqual(expect.arrayContaining(["events", "streams", "account_summary", "users", "transfer_work"]));
  });
});
