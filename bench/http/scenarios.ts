import { randomUUID } from "node:crypto";

import postgres from "postgres";

import { type Request } from "../load";
import { round, sleep } from "../support";
import { OPEN_MAX_IN_FLIGHT } from "./settings";
import { type Account, type Customer } from "./setup";

// ---------------------------------------------------------------------------------------------
// Scenarios

export const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)] as T;
const amount = () => 100 + Math.floor(Math.random() * 9_900); // 1.00 to 100.00

// A deposit or a withdrawal of 1.00-100.00 by the account's owner, each with its own key.
const moneyMove =
  (kind: "deposits" | "withdrawals") =>
  (account: Account): Request => ({
    route: `POST /accounts/{id}/${kind}`,
    method: "POST",
    path: `/accounts/${account.id}/${kind}`,
    token: account.owner.token,
    body: { amount: amount() },
    idempotencyKey: randomUUID(),
    write: true,
  });

export const deposit = moneyMove("deposits");
const withdrawal = moneyMove("withdrawals");

type ClosedScenario = {
  kind: "closed";
  name: string;
  description: string;
  next: (accounts: Account[], customers: Customer[]) => () => Request;
};
type OpenScenario = { kind: "open"; name: string; description: string; ratePerSecond: number; next: (accounts: Account[]) => () => Request };
type Scenario = ClosedScenario | OpenScenario;

const randomWrites = (accounts: Account[]) => {
  const pool = accounts.slice(0, 100);
  return () => (Math.random() < 0.5 ? deposit(pick(pool)) : withdrawal(pick(pool)));
};

const closedScenarios: ClosedScenario[] = [
  {
    kind: "closed",
    name: "random",
    description: "deposits and withdrawals (half each) on 100 random accounts",
    next: randomWrites,
  },
  {
    // The writes of "random", measured apart from it: their webhook deliveries cost the servers and
    // Postgres CPU per write that an API write without a subscriber does not pay.
    kind: "closed",
    name: "events-out",
    description: "as random, while the servers deliver every event to an admin webhook endpoint (a local receiver)",
    next: randomWrites,
  },
  {
    kind: "closed",
    name: "hot",
    description: "deposits and withdrawals (half each), all on one account",
    next: (accounts) => {
      const hot = accounts[0] as Account;
      return () => (Math.random() < 0.5 ? deposit(hot) : withdrawal(hot));
    },
  },
  {
    kind: "closed",
    name: "mixed",
    description: "250 accounts, 5% of them take 90% of traffic; 35% deposits, 30% withdrawals, 20% balance, 10% statement, 5% open account",
    next: (accounts, customers) => {
      const hotCount = Math.ceil(accounts.length * 0.05);
      const hot = accounts.slice(0, hotCount);
      const cold = accounts.slice(hotCount);
      const target = () => (Math.random() < 0.9 ? pick(hot) : pick(cold));
      return () => {
        const roll = Math.random() * 100;
        if (roll < 35) return deposit(target());
        if (roll < 65) return withdrawal(target());
        if (roll < 85) {
          const account = target();
          return { route: "GET /accounts/{id}", method: "GET", path: `/accounts/${account.id}`, token: account.owner.token, write: false };
        }
        if (roll < 95) {
          const account = target();
          return {
            route: "GET /accounts/{id}/statement",
            method: "GET",
            path: `/accounts/${account.id}/statement?limit=25`,
            token: account.owner.token,
            write: false,
          };
        }
        const owner = pick(customers);
        return {
          route: "POST /accounts",
          method: "POST",
          path: "/accounts",
          token: owner.token,
          body: { currency: "EUR" },
          idempotencyKey: randomUUID(),
          write: true,
        };
      };
    },
  },
  {
    kind: "closed",
    name: "transfers",
    description: "transfers between random pairs of 100 accounts (own and other customers')",
    next: (accounts) => {
      const pool = accounts.slice(100, 200);
      return () => {
        const from = pick(pool);
        let to = pick(pool);
        while (to.id === from.id) to = pick(pool);
        return {
          route: "POST /transfers",
          method: "POST",
          path: "/transfers",
          token: from.owner.token,
          body: { fromAccountId: from.id, toAccountNumber: to.number, amount: amount(), reference: "bench" },
          idempotencyKey: randomUUID(),
          write: true,
        };
      };
    },
  },
];

/** A closed-loop scenario by name, or `open-<rate>`: the random scenario's writes at a fixed rate. */
export function scenarioNamed(name: string): Scenario {
  const closed = closedScenarios.find((s) => s.name === name);
  if (closed) return closed;
  const rate = /^open-(\d+)$/.exec(name)?.[1];
  if (rate && Number(rate) > 0) {
    return {
      kind: "open",
      name,
      ratePerSecond: Number(rate),
      description: `deposits and withdrawals (half each) on 100 random accounts, ${rate} per second on a fixed timetable (open loop, at most ${OPEN_MAX_IN_FLIGHT} in flight)`,
      next: randomWrites,
    };
  }
  throw new Error(
    `unknown scenario ${JSON.stringify(name)} in BENCH_SCENARIOS: use ${closedScenarios.map((s) => s.name).join(", ")} or open-<writes per second>`,
  );
}

export async function transferOutcome(databaseUrl: string): Promise<{ byStatus: Record<string, number>; drainSeconds: number }> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  const started = performance.now();
  try {
    for (;;) {
      const rows = await sql<{ status: string; count: string }[]>`select status, count(*)::text as count from transfers_view group by status`;
      const byStatus = Object.fromEntries(rows.map((row) => [row.status, Number(row.count)]));
      const unfinished = rows.filter((row) => !["completed", "failed", "held"].includes(row.status)).reduce((n, row) => n + Number(row.count), 0);
      if (unfinished === 0 || performance.now() - started > 120_000)
        return { byStatus, drainSeconds: round((performance.now() - started) / 1000, 1) };
      await sleep(500);
    }
  } finally {
    await sql.end({ timeout: 5 });
  }
}
