import { randomUUID } from "node:crypto";
import http from "node:http";

import { call } from "../load";
import { type Server } from "./servers";
import { ACCOUNTS, OPENING_BALANCE, PASSWORD, USERS } from "./settings";

// ---------------------------------------------------------------------------------------------
// Setup over the API

export type Customer = { email: string; token: string };
export type Account = { id: string; number: string; owner: Customer };

export async function setUp(servers: Server[]): Promise<{ customers: Customer[]; accounts: Account[] }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  const base = servers[0]?.url as URL;
  const runId = randomUUID().slice(0, 8);
  // Sign-up and token exchange hash the password (scrypt, 128 MiB): two at a time.
  const customers: Customer[] = [];
  for (let i = 0; i < USERS; i += 2) {
    const batch = await Promise.all(
      [i, i + 1].map(async (n) => {
        const email = `bench.${runId}.${n}@example.com`;
        await call(
          agent,
          base,
          { method: "POST", path: "/auth/signup", token: "", body: { name: `Bench Customer ${n}`, email, password: PASSWORD } },
          [201],
        );
        const { token } = await call<{ token: string }>(agent, base, {
          method: "POST",
          path: "/auth/token",
          token: "",
          body: { email, password: PASSWORD },
        });
        return { email, token };
      }),
    );
    customers.push(...batch);
  }
  const accounts: Account[] = [];
  for (let i = 0; i < ACCOUNTS; i += 25) {
    const opened = await Promise.all(
      Array.from({ length: Math.min(25, ACCOUNTS - i) }, async (_, k) => {
        const owner = customers[(i + k) % USERS] as Customer;
        const { account } = await call<{ account: { id: string; number: string } }>(agent, base, {
          method: "POST",
          path: "/accounts",
          token: owner.token,
          body: { currency: "EUR", nickname: `Bench ${i + k}` },
          idempotencyKey: randomUUID(),
        });
        await call(agent, base, {
          method: "POST",
          path: `/accounts/${account.id}/deposits`,
          token: owner.token,
          body: { amount: OPENING_BALANCE },
          idempotencyKey: randomUUID(),
        });
        return { id: account.id, number: account.number, owner };
      }),
    );
    accounts.push(...opened);
  }
  agent.destroy();
  return { customers, accounts };
}
