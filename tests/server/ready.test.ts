import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createPostgresDatabase } from "../support/databases";
import { startServer, tempDataDir, type RunningServer } from "./support/server";
import { startTcpProxy, type TcpProxy } from "./support/tcp-proxy";

const AUTH_SECRET = "server-test-secret-0123456789abcdef";
const METRICS_TOKEN = "metrics-test-token-0123456789";

/** The scrape's `name{labels} value` lines that start with `prefix`. */
async function scrape(server: RunningServer, prefix: string): Promise<Record<string, number>> {
  const response = await fetch(`${server.url}/api/metrics`, {
    headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    signal: AbortSignal.timeout(10_000),
  });
  expect(response.status).toBe(200);
  const lines = (await response.text()).split("\n").filter((line) => line.startsWith(prefix));
  return Object.fromEntries(lines.map((line) => [line.slice(0, line.lastIndexOf(" ")), Number(line.slice(line.lastIndexOf(" ") + 1))]));
}

type Ready = { status: string; checks: Record<string, Record<string, unknown>> };

async function ready(server: RunningServer): Promise<{ status: number; body: Ready; headers: Headers; text: string }> {
  const response = await fetch(`${server.url}/api/ready`, { redirect: "manual", signal: AbortSignal.timeout(10_000) });
  const text = await response.text();
  return { status: response.status, body: JSON.parse(text) as Ready, headers: response.headers, text };
}

/** Polls /api/ready until it answers `status`; returns how long that took. */
async function waitForReady(server: RunningServer, status: number, withinMs: number): Promise<number> {
  const started = Date.now();
  let last = 0;
  while (Date.now() - started < withinMs) {
    last = (await ready(server)).status;
    if (last === status) return Date.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`/api/ready still answers ${last}, not ${status}, after ${withinMs} ms`);
}

function expectReadyBody(body: Ready) {
  expect(body.status).toBe("ready");
  expect(body.checks.database).toMatchObject({ ok: true });
  expect(body.checks.migrations).toMatchObject({ ok: true, expected: expect.any(String) });
  expect(body.checks.projections).toMatchObject({ ok: true, eventsBehind: 0 });
  expect(body.checks.transfers).toMatchObject({ stuck: 0, stuckAfterSeconds: 120 });
}

describe("/api/ready on the embedded database", () => {
  const data = tempDataDir();
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ env: { PGLITE_DATA_DIR: data.dir, AUTH_SECRET, READY_STUCK_TRANSFER_SECONDS: "120" } });
  });
  afterAll(async () => {
    await server?.stop();
    data.remove();
  });

  it("answers 200 ready with each check, uncached, without a sign-in redirect", async () => {
    const answer = await ready(server);
    expect(answer.status).toBe(200);
    expect(answer.headers.get("cache-control")).toBe("no-store");
    expect(answer.headers.get("x-request-id")).toMatch(/\S{8,}/);
    expectReadyBody(answer.body);
  });

  it("keeps /api/health as liveness only", async () => {
    const health = await fetch(`${server.url}/api/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok" });
  });
});

const adminUrl = process.env.DATABASE_URL;
// Real Postgres runs when DATABASE_URL is set (as in `npm test` on CI), like the integration tests.
const postgresCases = adminUrl ? [adminUrl] : [];
for (const url of postgresCases) {
  describe("/api/ready on a real Postgres, through a network the test can cut", () => {
    let database: Awaited<ReturnType<typeof createPostgresDatabase>>;
    let proxy: TcpProxy;
    let server: RunningServer;
    beforeAll(async () => {
      database = await createPostgresDatabase(url, "ll_obs");
      const target = new URL(database.url);
      proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
      const throughProxy = new URL(database.url);
      throughProxy.hostname = "127.0.0.1";
      throughProxy.port = String(proxy.port);
      server = await startServer({
        env: {
          DATABASE_URL: throughProxy.toString(),
          AUTH_SECRET,
          READY_STUCK_TRANSFER_SECONDS: "120",
          READY_TIMEOUT_MS: "1500",
          METRICS_TOKEN,
          DATABASE_POOL_MAX: "4",
        },
      });
    });
    afterAll(async () => {
      await server?.stop();
      await proxy?.close();
      await database?.drop();
    });

    it("is ready on a freshly migrated database, and the metrics show this instance's connections", async () => {
      const answer = await ready(server);
      expect(answer.status, answer.text).toBe(200);
      expectReadyBody(answer.body);

      // Concurrent scrapes make the pool open more than one connection; postgres.js keeps them open.
      await Promise.all([1, 2, 3].map(() => scrape(server, "ledgerline_db_")));
      const db = await scrape(server, "ledgerline_db_");
      expect(db["ledgerline_db_up"]).toBe(1);
      expect(db['ledgerline_db_pool_max{driver="postgres"}']).toBe(4);
      // The other connections are seen, idle, in pg_stat_activity; the scrape's own is not counted.
      const open = Object.entries(db).filter(([name]) => name.startsWith("ledgerline_db_connections{"));
      const total = open.reduce((sum, [, value]) => sum + value, 0);
      expect(total).toBeGreaterThanOrEqual(1);
      expect(total).toBeLessThanOrEqual(3);
      expect(db['ledgerline_db_connections{state="idle"}']).toBeGreaterThanOrEqual(1);
    });

    it("answers 503 within seconds when the database goes away, stays up, and recovers by itself", async () => {
      await proxy.close();
      const downAfter = await waitForReady(server, 503, 10_000);
      expect(downAfter).toBeLessThan(5_000);
      const down = await ready(server);
      expect(down.status).toBe(503);
      expect(down.body.status).toBe("not-ready");
      expect(down.body.checks.database).toMatchObject({ ok: false });
      // Nothing about where the database is or what the driver said.
      expect(down.text).not.toMatch(/127\.0\.0\.1|postgres|ECONNREFUSED|5432|password/i);
      expect(down.headers.get("cache-control")).toBe("no-store");

      const health = await fetch(`${server.url}/api/health`);
      expect(health.status).toBe(200);
      expect(server.process.exitCode).toBeNull();
      // Metrics still answer, saying the database did not.
      const scrapeStarted = Date.now();
      expect((await scrape(server, "ledgerline_db_up"))["ledgerline_db_up"]).toBe(0);
      expect(Date.now() - scrapeStarted).toBeLessThan(5_000);

      await proxy.open();
      const upAfter = await waitForReady(server, 200, 15_000);
      expect(upAfter).toBeLessThan(10_000);
      expectReadyBody((await ready(server)).body);
      expect((await scrape(server, "ledgerline_db_up"))["ledgerline_db_up"]).toBe(1);
    });
  });
}
