import { randomUUID } from "node:crypto";

import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createPostgresDatabase } from "../support/databases";
import { startPgTap, type PgTap } from "../support/pg-tap";
import { apiClient, newCustomer } from "./support/api";
import { startServer, type RunningServer } from "./support/server";

// The production build on real Postgres, as an operator runs it: servers are killed with SIGKILL
// in the middle of a command, at its COMMIT (before it reaches the database, and after the database
// answered it), and the client retries with the same Idempotency-Key on a new server.

const AUTH_SECRET = "server-test-secret-0123456789abcdef";
const adminUrl = process.env.DATABASE_URL;

describe.runIf(adminUrl)("a server killed mid-command, on real Postgres", () => {
  let database: { url: string; drop: () => Promise<void> };
  let tap: PgTap;
  let sql: postgres.Sql;
  const servers: RunningServer[] = [];
  const start = async () => {
    const server = await startServer({ env: { DATABASE_URL: tap.url(database.url), AUTH_SECRET, DATABASE_POOL_MAX: "4", LOG_LEVEL: "warn" } });
    servers.push(server);
    return server;
  };

  beforeAll(async () => {
    database = await createPostgresDatabase(adminUrl as string, "ll_crash");
    const target = new URL(database.url);
    tap = await startPgTap({ host: target.hostname, port: Number(target.port || 5432) });
    sql = postgres(database.url, { max: 1, onnotice: () => {} });
  });
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
    await sql?.end();
    await tap?.close();
    await database?.drop();
  });

  /** Kills `server` with SIGKILL the moment its connection reaches `point` of a COMMIT. */
  function killAt(server: RunningServer, point: "before-commit" | "after-commit") {
    let armed = true;
    const kill = () => {
      armed = false;
      server.process.kill("SIGKILL");
      return "cut" as const;
    };
    tap.onClient = (message) =>
      armed && point === "before-commit" && /^commit$/i.test(message.text) && "QB".includes(message.type) ? kill() : "forward";
    tap.onServer = (message) => (armed && point === "after-commit" && message.type === "C" && message.text === "COMMIT" ? kill() : "forward");
    return () => {
      tap.onClient = undefined;
      tap.onServer = undefined;
    };
  }

  for (const point of ["before-commit", "after-commit"] as const) {
    it(`a deposit and a transfer whose server died ${point.replace("-", " ")} have one effect, and the retry on another server gets the stored answer`, async () => {
      const first = await start();
      const customer = await newCustomer(first.url);
      const open = async () =>
        (await customer.api.post("/accounts", { currency: "EUR" }, { "idempotency-key": randomUUID() })).body.account as {
          id: string;
          number: string;
        };
      const [from, to] = [await open(), await open()];
      expect((await customer.api.post(`/accounts/${from.id}/deposits`, { amount: 10_000 }, { "idempotency-key": randomUUID() })).status).toBe(201);

      const depositKey = randomUUID();
      const disarm = killAt(first, point);
      await expect(customer.api.post(`/accounts/${from.id}/deposits`, { amount: 700 }, { "idempotency-key": depositKey })).rejects.toThrow();
      await first.exited;
      disarm();

      const second = await start();
      const api = apiClient(second.url, customer.token);
      const retried = await api.post(`/accounts/${from.id}/deposits`, { amount: 700 }, { "idempotency-key": depositKey });
      expect(retried.status).toBe(201);
      expect(retried.headers.get("idempotent-replayed")).toBe(point === "after-commit" ? "true" : null);
      const again = await api.post(`/accounts/${from.id}/deposits`, { amount: 700 }, { "idempotency-key": depositKey });
      expect(again.body).toEqual(retried.body);
      const deposits = await sql<
        { n: number }[]
      >`select count(*)::int as n from events where stream_id = ${`account-${from.id}`} and event_type = 'MoneyDeposited'`;
      expect(deposits[0]?.n).toBe(2); // the opening deposit and this one, once

      const transferKey = randomUUID();
      const body = { fromAccountId: from.id, toAccountNumber: to.number, amount: 300, reference: `killed ${point}` };
      const disarmAgain = killAt(second, point);
      await expect(api.post("/transfers", body, { "idempotency-key": transferKey })).rejects.toThrow();
      await second.exited;
      disarmAgain();
      const third = await start();
      const answer = await apiClient(third.url, customer.token).post("/transfers", body, { "idempotency-key": transferKey });
      expect(answer.status).toBe(202);
      const recorded = await sql<{ transfer_id: string }[]>`select transfer_id from transfers_view where reference = ${body.reference}`;
      expect(recorded.map((row) => row.transfer_id)).toEqual([(answer.body.transfer as { id: string }).id]);
      // The third server's runner finishes it: money moves once.
      for (let i = 0; i < 100; i++) {
        const status = (await apiClient(third.url, customer.token).get(`/transfers/${recorded[0]?.transfer_id}`)).body.transfer as { status: string };
        if (status.status === "completed") break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const balances = await sql<
        { account_id: string; balance: string }[]
      >`select account_id, balance::text from account_summary where account_id in (${from.id}, ${to.id})`;
      expect(Object.fromEntries(balances.map((row) => [row.account_id, row.balance]))).toEqual({ [from.id]: "10400", [to.id]: "300" });
      await third.stop();
    });
  }

  it("50 concurrent requests with one key on two servers: one effect, 50 identical answers", async () => {
    const [a, b] = [await start(), await start()];
    const customer = await newCustomer(a.url);
    const account = (await customer.api.post("/accounts", { currency: "EUR" }, { "idempotency-key": randomUUID() })).body.account as { id: string };
    const key = randomUUID();
    const clients = [apiClient(a.url, customer.token), apiClient(b.url, customer.token)];
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        (clients[i % 2] as (typeof clients)[number]).post(`/accounts/${account.id}/deposits`, { amount: 1_234 }, { "idempotency-key": key }),
      ),
    );
    expect(answers.map((answer) => answer.status)).toEqual(Array(50).fill(201));
    expect(new Set(answers.map((answer) => JSON.stringify(answer.body))).size).toBe(1);
    expect(answers.filter((answer) => answer.headers.get("idempotent-replayed") !== "true")).toHaveLength(1);
    const events = await sql<
      { n: number }[]
    >`select count(*)::int as n from events where stream_id = ${`account-${account.id}`} and event_type = 'MoneyDeposited'`;
    expect(events[0]?.n).toBe(1);
  });
});
