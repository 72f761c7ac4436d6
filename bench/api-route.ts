/**
 * The API's deposit route in-process, without Next:
 * `DATABASE_URL=postgres://… npx tsx --conditions=react-server bench/api-route.ts > /dev/null`
 * (the condition makes `server-only` importable outside Next).
 *
 * Calls the route handler of POST /api/v1/accounts/{id}/deposits with a `Request`, as Next would,
 * from BENCH_CLIENTS concurrent loops on random accounts, and reports this process's CPU per
 * request (user + system, from process.cpuUsage) over BENCH_ROUNDS rounds of BENCH_REQUESTS each:
 * what our code costs per API write (bearer token, Idempotency-Key, command, postgres.js, JSON,
 * the log line) with Next's own share left out. CPU time, not throughput: other work on a shared
 * machine slows the rounds down but barely changes what each request costs. The log goes to
 * stdout, as in production: send it to a file or /dev/null (the figures go to stderr).
 */
import { randomUUID } from "node:crypto";

import { issueApiToken } from "../lib/auth/api-tokens";
import { registerUser } from "../lib/auth/users";
import { depositMoney, openAccount } from "../lib/commands/accounts";
import { openDatabase } from "../lib/db/client";
import { migrateDatabase } from "../lib/db/migrate";
import { createScratchDatabase, intEnv, median, round, seededRandom } from "./support";

const ADMIN_URL = process.env.DATABASE_URL;
const CLIENTS = intEnv("BENCH_CLIENTS", 8);
const ROUNDS = intEnv("BENCH_ROUNDS", 5);
const REQUESTS = intEnv("BENCH_REQUESTS", 2000);
const ACCOUNTS = 100;

const say = (message: string) => process.stderr.write(`${message}\n`);

async function main() {
  if (!ADMIN_URL?.startsWith("postgres")) throw new Error("DATABASE_URL must name a Postgres database (a scratch database is made next to it)");
  const scratch = await createScratchDatabase(ADMIN_URL);
  try {
    const setup = await openDatabase({ kind: "postgres", url: scratch.url, poolMax: CLIENTS });
    await migrateDatabase(setup, { url: scratch.url });
    const ctx = { db: setup.db, snapshotEvery: 20, maxAmount: 100_000_000n };
    const user = await registerUser(setup.db, {
      name: "Bench Route",
      email: `route-${randomUUID()}@example.com`,
      password: "quiet lantern harbour bench",
    });
    const actor = { id: user.id, role: "customer" as const };
    const { token } = await issueApiToken(setup.db, user, { name: "bench", lifetimeDays: 1 }, { via: "api" });
    const accounts: string[] = [];
    for (let i = 0; i < ACCOUNTS; i++) {
      const { accountId } = await openAccount(ctx, { customerId: user.id, currency: "EUR" }, { now: new Date(), actor, origin: "cli" });
      await depositMoney(ctx, { accountId, amount: 1_000_000n }, { now: new Date(), actor, origin: "cli" });
      accounts.push(accountId);
    }
    // The route takes the process's database (lib/db/process-database.ts): this one.
    (globalThis as { __ledgerlineDb?: { handle?: Promise<unknown> } }).__ledgerlineDb = { handle: Promise.resolve(setup) };
    const route = await import("../app/api/v1/accounts/[accountId]/deposits/route");
    const random = seededRandom(12);
    const deposit = async () => {
      const accountId = accounts[Math.floor(random() * accounts.length)] as string;
      const response = await route.POST(
        new Request(`http://127.0.0.1/api/v1/accounts/${accountId}/deposits`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${token}`, "idempotency-key": randomUUID() },
          body: JSON.stringify({ amount: 1 + Math.floor(random() * 10_000), reference: "bench" }),
        }),
        { params: Promise.resolve({ accountId }) },
      );
      if (response.status !== 201) throw new Error(`deposit answered ${response.status}: ${await response.text()}`);
      await response.arrayBuffer();
    };
    const run = async (count: number) => {
      let left = count;
      await Promise.all(
        Array.from({ length: CLIENTS }, async () => {
          while (left-- > 0) await deposit();
        }),
      );
    };
    await run(500); // warm-up: JIT, prepared statements, the pool
    const perRequest: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const cpu = process.cpuUsage();
      const started = performance.now();
      await run(REQUESTS);
      const used = process.cpuUsage(cpu);
      const us = (used.user + used.system) / REQUESTS;
      perRequest.push(us);
      say(`round ${r + 1}: ${round(us / 1000, 3)} ms CPU per request, ${round(REQUESTS / ((performance.now() - started) / 1000), 0)} req/s`);
    }
    say(
      `median of ${ROUNDS} rounds: ${round(median(perRequest) / 1000, 3)} ms CPU per deposit, best ${round(Math.min(...perRequest) / 1000, 3)} (in-process, ${CLIENTS} clients)`,
    );
    await setup.close();
  } finally {
    await scratch.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
