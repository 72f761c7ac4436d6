import { randomUUID } from "node:crypto";

import { generate } from "otplib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { apiClient, idempotencyKey, newCustomer } from "./support/api";
import { startServer, tempDataDir, type RunningServer } from "./support/server";

const AUTH_SECRET = "server-test-secret-0123456789abcdef";
const METRICS_TOKEN = "metrics-test-token-0123456789";
/** The embedded demo's admin, as the README publishes it. */
const DEMO_ADMIN = { email: "avery@ledgerline.dev", password: "steady-audit-42" };
/** Its authenticator secret, also published: the API asks an account with a second factor for a code. */
const DEMO_ADMIN_TOTP_SECRET = "LEDGERLINEDEMOADMINTOTPSECRET234";

/** `name{labels} value` lines of a Prometheus text exposition, as a lookup by series. */
function parseExposition(text: string): Map<string, number> {
  const series = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const at = line.lastIndexOf(" ");
    series.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return series;
}

async function scrape(server: RunningServer): Promise<Map<string, number>> {
  const response = await fetch(`${server.url}/api/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toContain("text/plain");
  return parseExposition(await response.text());
}

describe("/api/metrics", () => {
  const data = tempDataDir();
  let server: RunningServer;
  beforeAll(async () => {
    // The test's client plays the proxy in front (loopback), so its correlation id is adopted.
    server = await startServer({ env: { PGLITE_DATA_DIR: data.dir, AUTH_SECRET, METRICS_TOKEN, DEMO_SEED: "true", TRUSTED_PROXIES: "loopback" } });
  });
  afterAll(async () => {
    await server?.stop();
    data.remove();
  });

  it("asks for the bearer token: none or a wrong one is 401, never the figures", async () => {
    const attempts: Record<string, string>[] = [{}, { authorization: "Bearer wrong-token-0123456789" }, { authorization: `Basic ${METRICS_TOKEN}` }];
    for (const headers of attempts) {
      const response = await fetch(`${server.url}/api/metrics`, { headers, redirect: "manual" });
      expect(response.status).toBe(401);
      expect(await response.text()).not.toContain("ledgerline_");
    }
  });

  it("counts commands by type and outcome, replays, transfers by status, the pool and the process", async () => {
    const customer = await newCustomer(server.url);
    const open = async () => {
      const response = await customer.api.post("/accounts", { currency: "EUR" });
      expect(response.status).toBe(201);
      return response.body.account as { id: string; number: string };
    };
    const [source, destination] = [await open(), await open()];
    // The demo data has transfers of its own (one completed): counted from here on.
    const completedBefore = (await scrape(server)).get('ledgerline_transfers{status="completed"}') ?? 0;
    const depositKey = idempotencyKey();
    expect((await customer.api.post(`/accounts/${source.id}/deposits`, { amount: 10_000 }, depositKey)).status).toBe(201);
    const replay = await customer.api.post(`/accounts/${source.id}/deposits`, { amount: 10_000 }, depositKey);
    expect(replay.status).toBe(201);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    const refused = await customer.api.post(`/accounts/${source.id}/withdrawals`, { amount: 1_000_000 }, idempotencyKey());
    expect(refused.status).toBe(422);
    const transfer = await customer.api.post(
      "/transfers",
      { fromAccountId: source.id, toAccountNumber: destination.number, amount: 2_500, reference: "rent" },
      idempotencyKey(),
    );
    expect(transfer.status).toBe(202);

    const series = await scrape(server);
    expect(series.get('ledgerline_commands_total{command_type="DepositMoney",outcome="accepted"}')).toBeGreaterThanOrEqual(1);
    expect(series.get('ledgerline_commands_total{command_type="WithdrawMoney",outcome="rejected"}')).toBeGreaterThanOrEqual(1);
    expect(series.get('ledgerline_commands_total{command_type="RequestTransfer",outcome="accepted"}')).toBeGreaterThanOrEqual(1);
    expect(series.get('ledgerline_command_duration_seconds_count{command_type="DepositMoney",outcome="accepted"}')).toBeGreaterThanOrEqual(1);
    expect(series.get('ledgerline_command_duration_seconds_sum{command_type="DepositMoney",outcome="accepted"}')).toBeGreaterThan(0);
    expect(series.get('ledgerline_idempotent_replays_total{layer="api"}')).toBe(1);
    expect(series.get('ledgerline_transfers{status="completed"}')).toBe(completedBefore + 1);
    expect(series.get('ledgerline_transfers{status="requested"}')).toBe(0);
    expect(series.get("ledgerline_transfer_oldest_unfinished_seconds")).toBe(0);
    expect(series.get("ledgerline_db_up")).toBe(1);
    expect(series.get('ledgerline_db_pool_max{driver="pglite"}')).toBe(1);
    expect(series.get("process_cpu_seconds_total")).toBeGreaterThan(0);
    expect(series.get("nodejs_heap_size_used_bytes")).toBeGreaterThan(0);
  });

  it("logs one JSON line per API call, with its command, the request's id and a trusted caller's correlation id, and no secrets", async () => {
    const customer = await newCustomer(server.url);
    const correlationId = `batch-${randomUUID()}`;
    const opened = await customer.api.post("/accounts", { currency: "EUR" }, { "x-correlation-id": correlationId });
    expect(opened.status).toBe(201);
    const requestId = opened.headers.get("x-request-id");
    expect(requestId).toMatch(/\S{8,}/);

    const lines = server
      .output()
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.filter((line) => line.requestId === requestId)).toEqual([
      expect.objectContaining({
        level: "info",
        event: "api",
        status: 201,
        method: "POST",
        durationMs: expect.any(Number),
        commandType: "OpenAccount",
        outcome: "accepted",
        correlationId,
      }),
    ]);
    // The same correlation id is what the account's events carry (read back through the admin API).
    const accountId = (opened.body.account as { id: string }).id;
    const adminToken = await apiClient(server.url).post("/auth/token", { ...DEMO_ADMIN, code: await generate({ secret: DEMO_ADMIN_TOTP_SECRET }) });
    expect(adminToken.status).toBe(200);
    const audit = await apiClient(server.url, String(adminToken.body.token)).get(`/admin/audit?accountId=${accountId}`);
    expect(audit.status).toBe(200);
    expect(audit.body.entries).toEqual([expect.objectContaining({ type: "AccountOpened", correlationId })]);

    expect(server.output()).not.toContain(customer.token);
    expect(server.output()).not.toContain(customer.password);
    expect(server.output()).not.toContain(METRICS_TOKEN);
  });

  it("honours a sane x-request-id from a proxy in front, and replaces one that is not", async () => {
    const given = `lb-${randomUUID()}`;
    const kept = await fetch(`${server.url}/api/health`, { headers: { "x-request-id": given } });
    expect(kept.headers.get("x-request-id")).toBe(given);
    const replaced = await fetch(`${server.url}/api/health`, { headers: { "x-request-id": 'bad id with spaces"' } });
    expect(replaced.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("/api/metrics without METRICS_TOKEN", () => {
  const data = tempDataDir();
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ env: { PGLITE_DATA_DIR: data.dir, AUTH_SECRET } });
  });
  afterAll(async () => {
    await server?.stop();
    data.remove();
  });

  it("does not exist (404), whatever the caller sends", async () => {
    const attempts: Record<string, string>[] = [{}, { authorization: "Bearer " }];
    for (const headers of attempts) {
      const response = await fetch(`${server.url}/api/metrics`, { headers });
      expect(response.status).toBe(404);
    }
  });
});
