import { randomUUID } from "node:crypto";

import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

import { registerUser, type SessionUser } from "@/lib/auth/users";
import { depositMoney, openAccount } from "@/lib/commands/accounts";
import { createOrder } from "@/lib/commands/orders";
import { addPayee } from "@/lib/commands/payees";
import { rowsOf, type DatabaseHandle } from "@/lib/db/client";
import { accountSummary, standingOrders } from "@/lib/db/schema";

import { signedIn as session } from "../support/auth-mock";
import { context, meta } from "../support/commands";
import { backends, type TestDatabase } from "../support/databases";
import { countEvents } from "../support/queries";

// The portal's payee, order and transfer actions, with the test deciding who is signed in.
vi.mock("@/lib/auth/config", async () => (await import("../support/auth-mock")).authConfigMock);
vi.mock("next/cache", () => ({ revalidatePath: vi.fn() }));
const redirected = vi.hoisted(() => ({ to: [] as string[] }));
vi.mock("next/navigation", () => ({
  redirect: (to: string) => {
    redirected.to.push(to);
    throw new Error("NEXT_REDIRECT");
  },
  notFound: () => {
    throw new Error("NEXT_NOT_FOUND");
  },
}));

const { payeeAction, changePayeeAction } = await import("@/app/(bank)/payees/actions");
const { changeOrderAction, editOrderAction, orderAction } = await import("@/app/(bank)/orders/actions");
const { transferAction } = await import("@/app/(bank)/transfers/actions");

function form(fields: Record<string, string>): FormData {
  const data = new FormData();
  for (const [key, value] of Object.entries(fields)) data.set(key, value);
  return data;
}
const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

describe.each(backends)("portal payee and order actions on $name", (backend) => {
  let t: TestDatabase;
  let owner: SessionUser;
  let stranger: SessionUser;
  let ownerAccount: string;
  let strangerNumber: string;
  let strangerPayee: string;
  let ownerOrder: string;

  beforeAll(async () => {
    t = await backend.create();
    const global = globalThis as { __ledgerlineDb?: { handle?: Promise<DatabaseHandle> } };
    (global.__ledgerlineDb ??= {}).handle = Promise.resolve(t.handle);
    owner = await registerUser(t.db, { name: "Olive Owner", email: `owner-${randomUUID()}@example.com`, password: "olive tree branch" });
    stranger = await registerUser(t.db, { name: "Sam Stranger", email: `sam-${randomUUID()}@example.com`, password: "quiet river stone" });
    const ownerMeta = meta({ actor: { id: owner.id, role: "customer" } });
    ({ accountId: ownerAccount } = await openAccount(context(t.db), { customerId: owner.id, currency: "EUR" }, ownerMeta));
    await depositMoney(context(t.db), { accountId: ownerAccount, amount: 10_000 }, ownerMeta);
    const { accountId: strangerAccount } = await openAccount(
      context(t.db),
      { customerId: stranger.id, currency: "EUR" },
      meta({ actor: { id: stranger.id, role: "customer" } }),
    );
    const [row] = await t.db.select({ number: accountSummary.number }).from(accountSummary).where(eq(accountSummary.accountId, strangerAccount));
    strangerNumber = row!.number;
    const [ownerRow] = await t.db.select({ number: accountSummary.number }).from(accountSummary).where(eq(accountSummary.accountId, ownerAccount));
    // The stranger's own payee (the owner's account), which the owner must never be able to use or change.
    strangerPayee = (
      await addPayee(t.db, stranger, { name: "Olive", accountNumber: ownerRow!.number }, meta({ actor: { id: stranger.id, role: "customer" } }))
    ).payeeId;
    ownerOrder = (
      await createOrder(
        context(t.db),
        owner,
        {
          fromAccountId: ownerAccount,
          toAccountNumber: strangerNumber,
          amount: 100,
          timeZone: "UTC",
          schedule: { kind: "weekly", startDate: inDays(2) },
        },
        ownerMeta,
      )
    ).orderId;
  });
  afterAll(() => t.drop());
  beforeEach(() => {
    session.user = null;
    redirected.to = [];
  });
  const signInAs = (user: SessionUser) => {
    session.user = { id: user.id, email: user.email, name: user.name, role: user.role };
  };

  it("shows the masked holder before saving a payee, then saves it once for a resent form", async () => {
    signInAs(owner);
    const commandId = randomUUID();
    const checked = await payeeAction(
      { stage: "edit", commandId, values: { name: "", accountNumber: "" } },
      form({ commandId, name: "Sam", accountNumber: strangerNumber, intent: "check" }),
    );
    expect(checked).toMatchObject({ stage: "confirm", holderName: "S** St******" });
    expect(rowsOf(await t.db.execute(sql`select 1 from payees where owner_id = ${owner.id}`))).toHaveLength(0);
    const save = form({ commandId, name: "Sam", accountNumber: strangerNumber, holderName: "S** St******", intent: "save" });
    expect((await payeeAction(checked, save)).stage).toBe("saved");
    expect((await payeeAction(checked, save)).stage).toBe("saved");
    expect(rowsOf(await t.db.execute(sql`select 1 from payees where owner_id = ${owner.id}`))).toHaveLength(1);
  });

  it("will not pay, rename or delete someone else's payee", async () => {
    signInAs(owner);
    const before = await countEvents(t.db);
    const state = await transferAction(
      { stage: "edit", commandId: randomUUID(), values: {} as never },
      form({ commandId: randomUUID(), fromAccountId: ownerAccount, destination: "payee", payeeId: strangerPayee, amount: "1.00", intent: "confirm" }),
    );
    expect(state).toMatchObject({ stage: "edit", fieldErrors: { payeeId: ["Choose one of your saved payees."] } });
    await changePayeeAction(form({ payeeId: strangerPayee, intent: "delete" }));
    await changePayeeAction(form({ payeeId: strangerPayee, intent: "rename", name: "Mine now" }));
    const [row] = rowsOf<{ name: string }>(await t.db.execute(sql`select name from payees where payee_id = ${strangerPayee}`));
    expect(row?.name).toBe("Olive");
    expect(await countEvents(t.db)).toBe(before);
  });

  it("will not pause, cancel or edit someone else's order, nor set one up from their account", async () => {
    signInAs(stranger);
    for (const intent of ["pause", "cancel"]) await changeOrderAction(form({ orderId: ownerOrder, intent }));
    const edited = await editOrderAction(
      { values: {} as never },
      form({ orderId: ownerOrder, amount: "999", kind: "once", date: inDays(3), timeZone: "UTC" }),
    );
    expect(edited.message).toBe("There is no such order of yours.");
    const [order] = await t.db.select().from(standingOrders).where(eq(standingOrders.orderId, ownerOrder));
    expect(order).toMatchObject({ status: "active", amount: 100n });
    const made = await orderAction(
      { commandId: randomUUID(), values: {} as never },
      form({
        commandId: randomUUID(),
        fromAccountId: ownerAccount,
        toAccountNumber: strangerNumber,
        amount: "5",
        kind: "once",
        date: inDays(3),
        timeZone: "UTC",
      }),
    );
    expect(made).toMatchObject({ fieldErrors: { fromAccountId: ["Choose one of your accounts to pay from."] } });
    expect(redirected.to).toEqual([]);
  });

  it("sets up an order from the form, saving the time zone as the customer's setting, and the owner can pause it", async () => {
    signInAs(owner);
    const commandId = randomUUID();
    await expect(
      orderAction(
        { commandId, values: {} as never },
        form({
          commandId,
          fromAccountId: ownerAccount,
          toAccountNumber: strangerNumber,
          amount: "12.50",
          kind: "monthly",
          date: inDays(1),
          dayOfMonth: "31",
          count: "3",
          timeZone: "Asia/Tokyo",
        }),
      ),
    ).rejects.toThrow("NEXT_REDIRECT");
    const orderId = /\/orders\/(.+)$/.exec(redirected.to[0] ?? "")?.[1] ?? "";
    const [order] = await t.db.select().from(standingOrders).where(eq(standingOrders.orderId, orderId));
    expect(order).toMatchObject({ amount: 1_250n, timeZone: "Asia/Tokyo", status: "active" });
    const [profile] = rowsOf<{ time_zone: string }>(await t.db.execute(sql`select time_zone from users where id = ${owner.id}`));
    expect(profile?.time_zone).toBe("Asia/Tokyo");
    await changeOrderAction(form({ orderId, intent: "pause" }));
    const [paused] = await t.db.select().from(standingOrders).where(eq(standingOrders.orderId, orderId));
    expect(paused?.status).toBe("paused");
  });
  it("saves a payee at another bank by IBAN with the holder's name given, pays it through the scheme, and keeps it out of standing orders", async () => {
    const xena = await registerUser(t.db, { name: "Xena External", email: `xena-${randomUUID()}@example.com`, password: "xena far harbour" });
    const xenaMeta = meta({ actor: { id: xena.id, role: "customer" } });
    const { accountId } = await openAccount(context(t.db), { customerId: xena.id, currency: "EUR" }, xenaMeta);
    await depositMoney(context(t.db), { accountId, amount: 5_000 }, xenaMeta);
    signInAs(xena);
    const commandId = randomUUID();
    const start = { stage: "edit" as const, commandId, values: { name: "", accountNumber: "" } };
    const noName = await payeeAction(
      start,
      form({ commandId, name: "Piano teacher", accountNumber: "DE89 3704 0044 0532 0130 00", intent: "check" }),
    );
    expect(noName.fieldErrors?.holderName?.[0]).toContain("holder's name");
    const badIban = await payeeAction(
      start,
      form({ commandId, name: "Piano teacher", accountNumber: "DE89 3704 0044 0532 0130 01", holderName: "Erika Mustermann", intent: "check" }),
    );
    expect(badIban.fieldErrors?.accountNumber?.[0]).toContain("not a valid IBAN");
    const checked = await payeeAction(
      start,
      form({ commandId, name: "Piano teacher", accountNumber: "de89370400440532013000", holderName: "Erika Mustermann", intent: "check" }),
    );
    expect(checked).toMatchObject({
      stage: "confirm",
      external: true,
      holderName: "Erika Mustermann",
      values: { accountNumber: "DE89 3704 0044 0532 0130 00" },
    });
    const saved = await payeeAction(
      checked,
      form({ commandId, name: "Piano teacher", accountNumber: "DE89 3704 0044 0532 0130 00", holderName: "Erika Mustermann", intent: "save" }),
    );
    expect(saved.stage).toBe("saved");
    const [payee] = rowsOf<{ payee_id: string; account_number: string; holder_name: string }>(
      await t.db.execute(sql`select payee_id, account_number, holder_name from payees where owner_id = ${xena.id}`),
    );
    expect(payee).toMatchObject({ account_number: "DE89370400440532013000", holder_name: "Erika Mustermann" });

    const pay = form({
      commandId: randomUUID(),
      fromAccountId: accountId,
      destination: "payee",
      payeeId: payee!.payee_id,
      amount: "12.50",
      reference: "Lesson",
      intent: "review",
    });
    const review = await transferAction({ stage: "edit", commandId: randomUUID(), values: {} as never }, pay);
    expect(review).toMatchObject({ stage: "confirm", review: { payeeName: "Erika Mustermann", external: true } });
    pay.set("intent", "confirm");
    await expect(transferAction(review, pay)).rejects.toThrow("NEXT_REDIRECT");
    const transferId = /\/transfers\/([0-9a-f-]{36})$/.exec(redirected.to.at(-1) ?? "")![1]!;
    const [sent] = rowsOf<{ status: string; external: boolean; to_name: string }>(
      await t.db.execute(sql`select status, external, to_name from transfers_view where transfer_id = ${transferId}`),
    );
    expect(sent).toEqual({ status: "sent", external: true, to_name: "Erika Mustermann" });

    await expect(
      createOrder(
        context(t.db),
        xena,
        { fromAccountId: accountId, payeeId: payee!.payee_id, amount: 100, timeZone: "UTC", schedule: { kind: "weekly", startDate: inDays(2) } },
        xenaMeta,
      ),
    ).rejects.toMatchObject({ fieldErrors: { payeeId: [expect.stringContaining("Ledgerline only")] } });
  });
});
