import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

import type { DatabaseHandle } from "@/lib/db/client";
import { connectFromEnv, postgresSettings, urlLooksPooled } from "@/lib/db/connect";
import { migrateDatabase } from "@/lib/db/migrate";

describe("recognising a transaction pooler from DATABASE_URL", () => {
  it.each([
    ["Neon's pooled endpoint", "postgres://app:pw@ep-cool-darkness-123456-pooler.us-east-2.aws.neon.tech/neondb?sslmode=require"],
    ["Supabase's transaction pooler", "postgres://postgres.abcd:pw@aws-0-eu-central-1.pooler.supabase.com:6543/postgres"],
    ["Supabase's pooler host on its session port", "postgres://postgres.abcd:pw@aws-0-eu-central-1.pooler.supabase.com:5432/postgres"],
    ["port 6543 anywhere", "postgres://app:pw@db.internal:6543/bank"],
    ["pgbouncer=true", "postgresql://app:pw@bouncer.internal:6432/bank?pgbouncer=true"],
  ])("%s is pooled", (_name, url) => {
    expect(urlLooksPooled(url)).toBe(true);
  });

  it.each([
    ["Neon's direct endpoint", "postgres://app:pw@ep-cool-darkness-123456.us-east-2.aws.neon.tech/neondb?sslmode=require"],
    ["Supabase's direct host", "postgres://postgres:pw@db.abcdefgh.supabase.co:5432/postgres"],
    ["a local server", "postgres://postgres@127.0.0.1:5432/test"],
    ["'pooler' only in the password", "postgres://app:pooler-6543@db.internal:5432/bank"],
    ["'pooler' only in the database name", "postgres://app:pw@db.internal:5432/pooler"],
    ["pgbouncer=false", "postgres://app:pw@db.internal:5432/bank?pgbouncer=false"],
  ])("%s is direct", (_name, url) => {
    expect(urlLooksPooled(url)).toBe(false);
  });
});

describe("postgres.js settings from DATABASE_URL and DATABASE_PREPARE", () => {
  const neonPooled = "postgres://app:pw@ep-x-pooler.eu-central-1.aws.neon.tech/neondb?sslmode=require";

  it("turns prepared statements off behind a pooler and marks it as a transaction pooler", () => {
    expect(postgresSettings(neonPooled)).toEqual({ url: neonPooled, prepare: false, transactionPooler: true });
  });

  it("keeps prepared statements on a direct URL", () => {
    expect(postgresSettings("postgres://postgres@127.0.0.1:5432/test")).toMatchObject({ prepare: true, transactionPooler: false });
  });

  it("lets DATABASE_PREPARE override the guess either way", () => {
    expect(postgresSettings(neonPooled, "true")).toMatchObject({ prepare: true, transactionPooler: false });
    expect(postgresSettings("postgres://postgres@127.0.0.1:5432/test", "false")).toMatchObject({ prepare: false, transactionPooler: true });
  });

  it("drops pgbouncer=true from the URL, since Postgres would refuse it as a startup setting, and keeps the rest", () => {
    const settings = postgresSettings("postgres://app:pw@bouncer.internal:6432/bank?pgbouncer=true&sslmode=require");
    expect(settings.prepare).toBe(false);
    expect(new URL(settings.url).searchParams.has("pgbouncer")).toBe(false);
    expect(new URL(settings.url).searchParams.get("sslmode")).toBe("require");
    expect(settings.url).toContain("app:pw@bouncer.internal:6432/bank");
  });
});

describe("migrating", () => {
  const postgresHandle = { kind: "postgres" } as DatabaseHandle;

  it("refuses to migrate through a transaction pooler, naming the fix", async () => {
    await expect(migrateDatabase(postgresHandle, { url: "postgres://app:pw@ep-x-pooler.aws.neon.tech/db", transactionPooler: true })).rejects.toThrow(
      /direct, unpooled URL/,
    );
  });

  it("says where it looked when the migrations folder is missing", async () => {
    await expect(migrateDatabase(postgresHandle, { url: "postgres://x@127.0.0.1/x", migrationsFolder: "/nowhere/drizzle" })).rejects.toThrow(
      /No migrations at \/nowhere\/drizzle/,
    );
  });
});

describe("connecting through a pooled DATABASE_URL", () => {
  // Nothing listens there: neither path may need a connection to behave as described.
  beforeAll(() => {
    vi.stubEnv("DATABASE_URL", "postgres://app:pw@127.0.0.1:6543/bank");
  });
  afterAll(() => vi.unstubAllEnvs());

  it("at server start, skips migrations and says where they belong instead of waiting on a lock", async () => {
    const lines: string[] = [];
    const handle = await connectFromEnv({ log: (line) => lines.push(line) });
    await handle.close();
    expect(lines.join("\n")).toMatch(/transaction pooler: migrations are not applied at start.*npm run db:migrate.*direct/);
  });

  it("`npm run db:migrate` (migrate: true) refuses", async () => {
    await expect(connectFromEnv({ migrate: true, log: () => {} })).rejects.toThrow(/Refusing to migrate through a transaction pooler/);
  });
});
