import { randomUUID } from "node:crypto";

import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { issueApiToken } from "@/lib/auth/api-tokens";
import { rowsOf, type DatabaseHandle } from "@/lib/db/client";
import { accountSummary, users } from "@/lib/db/schema";
import { DEMO_CUSTOMER, seedDemo } from "@/lib/demo/seed";

import { customerWithAccount } from "../support/bank";
import { context } from "../support/commands";
import { backends, type TestDatabase } from "../support/databases";

// The payee and order routes called in-process, as tests/integration/api-routes.test.ts does.
const payeesRoute = await import("@/app/api/v1/payees/route");
const confirmationRoute = await import("@/app/api/v1/payees/confirmation/route");
const payeeRoute = await import("@/app/api/v1/payees/[payeeId]/route");
const ordersRoute = await import("@/app/api/v1/orders/route");
const orderRoute = await import("@/app/api/v1/orders/[orderId]/route");
const pauseRoute = await import("@/app/api/v1/orders/[orderId]/pause/route");

type Params = Record<string, string>;
type RouteHandler = (request: Request, context: { params: Promise<Params> }) => Promise<Response>;

function call(handler: RouteHandler, options: { method?: string; path: string; token: string; body?: unknown; key?: string; params?: Params }) {
  const headers: Record<string, string> = { authorization: `Bearer ${options.token}` };
  if (options.body !== undefined) headers["content-type"] = "application/json";
  if (options.key) headers["idempotency-key"] = options.key;
  const request = new Request(`http://localhost/api/v1${options.path}`, {
    method: options.method ?? (options.body === undefined ? "GET" : "POST"),
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  return handler(request, { params: Promise.resolve(options.params ?? {}) });
}

const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

describe.each(backends)("payee and order API on $name", (backend) => {
  let t: TestDatabase;
  let dana: Awaited<ReturnType<typeof customerWithAccount>> & { token: string; number: string };
  let erin: Awaited<ReturnType<typeof customerWithAccount>> & { token: string; number: string };

  async function customer(name: string, balance: number) {
    const created = await customerWithAccount(t.db, { name, balance });
    const { token } = await issueApiToken(t.db, created.user, { name: "test", lifetimeDays: 1 }, { via: "api" });
    const [row] = await t.db.select({ number: accountSummary.number }).from(accountSummary).where(eq(accountSummary.accountId, created.accountId));
    return { ...created, token, number: row!.number };
  }

  beforeAll(async () => {
    t = await backend.create();
    const global = globalThis as { __ledgerlineDb?: { handle?: Promise<DatabaseHandle> } };
    (global.__ledgerlineDb ??= {}).handle = Promise.resolve(t.handle);
    dana = await customer("Dana Api", 50_000);
    erin = await customer("Erin Whitfield", 0);
  });
  afterAll(() => t.drop());

  it("confirms a payee by masked name, saves it once per Idempotency-Key, lists and deletes it; another customer cannot delete it", async () => {
    const confirmation = await call(confirmationRoute.GET, {
      path: `/payees/confirmation?accountNumber=${encodeURIComponent(erin.number)}`,
      token: dana.token,
    });
    expect(await confirmation.json()).toEqual({ confirmation: { accountNumber: erin.number, holderName: "Er** Wh*******", currency: "EUR" } });
    const key = randomUUID();
    const body = { name: "Erin", accountNumber: erin.number, confirmedHolderName: "Er** Wh*******" };
    const first = await call(payeesRoute.POST, { path: "/payees", token: dana.token, body, key });
    const again = await call(payeesRoute.POST, { path: "/payees", token: dana.token, body, key });
    expect(first.status).toBe(201);
    const saved = (await first.json()) as { payee: { id: string } };
    expect(((await again.json()) as { payee: { id: string } }).payee.id).toBe(saved.payee.id);
    const list = (await (await call(payeesRoute.GET, { path: "/payees", token: dana.token })).json()) as { payees: unknown[] };
    expect(list.payees).toHaveLength(1);
    const stranger = await call(payeeRoute.DELETE, {
      method: "DELETE",
      path: `/payees/${saved.payee.id}`,
      token: erin.token,
      params: { payeeId: saved.payee.id },
    });
    expect(stranger.status).toBe(404);
    expect(((await stranger.json()) as { code: string }).code).toBe("PAYEE_NOT_FOUND");
    const own = await call(payeeRoute.DELETE, {
      method: "DELETE",
      path: `/payees/${saved.payee.id}`,
      token: dana.token,
      params: { payeeId: saved.payee.id },
    });
    expect(own.status).toBe(204);
  });

  it("refuses a payee without a key, with unknown fields, or an unknown number, as problems that save nothing", async () => {
    expect((await call(payeesRoute.POST, { path: "/payees", token: dana.token, body: { name: "x", accountNumber: erin.number } })).status).toBe(400);
    const extra = await call(payeesRoute.POST, {
      path: "/payees",
      token: dana.token,
      body: { name: "x", accountNumber: erin.number, ownerId: erin.user.id },
      key: randomUUID(),
    });
    expect(extra.status).toBe(422);
    const unknown = await call(payeesRoute.POST, {
      path: "/payees",
      token: dana.token,
      body: { name: "x", accountNumber: "LL00 0000 0000" },
      key: randomUUID(),
    });
    expect(unknown.status).toBe(422);
    expect(unknown.headers.get("content-type")).toBe("application/problem+json");
    const rows = rowsOf<{ n: string }>(await t.db.execute(sql`select count(*)::text as n from payees where owner_id = ${dana.user.id}`));
    expect(rows[0]!.n).toBe("0");
  });

  it("sets up a monthly order, replays it for the same key, pages the list, and hides it from others", async () => {
    const body = {
      fromAccountId: dana.accountId,
      toAccountNumber: erin.number,
      amount: 1_500,
      reference: "Rent",
      timeZone: "Europe/Berlin",
      schedule: { kind: "monthly", startDate: inDays(1), dayOfMonth: 31 },
    };
    const key = randomUUID();
    const first = await call(ordersRoute.POST, { path: "/orders", token: dana.token, body, key });
    expect(first.status).toBe(201);
    const text = await first.text();
    const replay = await call(ordersRoute.POST, { path: "/orders", token: dana.token, body, key });
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(await replay.text()).toBe(text);
    const { order } = JSON.parse(text) as { order: { id: string; status: string; amount: number; nextDueAt: string } };
    expect(order).toMatchObject({ status: "active", amount: 1_500 });
    const second = await call(ordersRoute.POST, { path: "/orders", token: dana.token, body: { ...body, amount: 700 }, key: randomUUID() });
    expect(second.status).toBe(201);
    const page1 = (await (await call(ordersRoute.GET, { path: "/orders?limit=1", token: dana.token })).json()) as {
      orders: unknown[];
      nextCursor: string;
    };
    expect(page1.orders).toHaveLength(1);
    const page2 = (await (await call(ordersRoute.GET, { path: `/orders?limit=1&cursor=${page1.nextCursor}`, token: dana.token })).json()) as {
      orders: unknown[];
      nextCursor: null;
    };
    expect(page2).toMatchObject({ nextCursor: null });
    expect(page2.orders).toHaveLength(1);
    for (const [handler, method] of [
      [orderRoute.GET, "GET"],
      [pauseRoute.POST, "POST"],
    ] as const) {
      const response = await call(handler, { method, path: `/orders/${order.id}`, token: erin.token, params: { orderId: order.id } });
      expect(response.status).toBe(404);
      expect(((await response.json()) as { code: string }).code).toBe("ORDER_NOT_FOUND");
    }
    const paused = await call(pauseRoute.POST, { path: `/orders/${order.id}/pause`, token: dana.token, params: { orderId: order.id } });
    expect(((await paused.json()) as { order: { status: string } }).order.status).toBe("paused");
  });

  it("answers 422 with every bad field of an order, recording nothing", async () => {
    const response = await call(ordersRoute.POST, {
      path: "/orders",
      token: dana.token,
      key: randomUUID(),
      body: {
        fromAccountId: dana.accountId,
        toAccountNumber: erin.number,
        amount: -5,
        timeZone: "Nowhere/Land",
        schedule: { kind: "monthly", startDate: "2026-13-01", dayOfMonth: 0 },
      },
    });
    expect(response.status).toBe(422);
    const problem = (await response.json()) as { errors: { field: string }[] };
    expect(problem.errors.map((error) => error.field).sort()).toEqual(["amount", "schedule.dayOfMonth", "schedule.startDate", "timeZone"]);
  });
});

describe.each(backends.filter((backend) => backend.name === "pglite"))("demo data on $name", (backend) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await backend.create();
  });
  afterAll(() => t.drop());

  it("shows a saved payee, a completed and a failed transfer, a payment from and one to another bank, and a monthly standing order", async () => {
    await seedDemo(context(t.db));
    const [dana] = await t.db.select({ id: users.id, timeZone: users.timeZone }).from(users).where(eq(users.email, DEMO_CUSTOMER.email));
    expect(dana?.timeZone).toBe("Europe/Berlin");
    const payees = rowsOf<{ name: string }>(await t.db.execute(sql`select name from payees where owner_id = ${dana!.id}`));
    expect(payees.map((row) => row.name)).toEqual(["Sam (flatmate)"]);
    const transfers = rowsOf<{ status: string; external: boolean }>(
      await t.db.execute(sql`select status, external from transfers_view where from_customer_id = ${dana!.id} order by amount`),
    );
    // The settled payment to another bank (35.00), the completed and the failed transfer to Sam.
    expect(transfers).toEqual([
      { status: "completed", external: true },
      { status: "completed", external: false },
      { status: "failed", external: false },
    ]);
    const inbound = rowsOf<{ status: string; amount: string }>(
      await t.db.execute(sql`select status, amount::text from inbound_payments_view where customer_id = ${dana!.id}`),
    );
    expect(inbound).toEqual([{ status: "credited", amount: "12000" }]);
    const orders = rowsOf<{ status: string; schedule: { kind: string; dayOfMonth: number } }>(
      await t.db.execute(sql`select status, schedule from standing_orders where owner_id = ${dana!.id}`),
    );
    expect(orders).toEqual([{ status: "active", schedule: expect.objectContaining({ kind: "monthly", dayOfMonth: 1 }) }]);
  }, 120_000);
});
