import { randomUUID } from "node:crypto";

import { sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

import { registerUser, type SessionUser } from "@/lib/auth/users";
import { depositMoney, openAccount } from "@/lib/commands/accounts";
import { rowsOf, type DatabaseHandle } from "@/lib/db/client";
import { accountNumberFromDigits, formatAccountNumber } from "@/lib/domain/account/account-number";

import { signedIn as session } from "../support/auth-mock";
import { context, meta } from "../support/commands";
import { backends, type TestDatabase } from "../support/databases";
import { accountBalance, countEvents } from "../support/queries";

// The actions read the session through Auth.js; here the test decides who is signed in.
vi.mock("@/lib/auth/config", async () => (await import("../support/auth-mock")).authConfigMock);
vi.mock("next/cache", () => ({ revalidatePath: vi.fn() }));
// redirect() throws to end the action; here it records where it would have gone.
const redirected = vi.hoisted(() => ({ to: [] as string[] }));
vi.mock("next/navigation", () => ({
  redirect: (to: string) => {
    redirected.to.push(to);
    throw new Error("NEXT_REDIRECT");
  },
}));

const { depositAction, withdrawAction, openAccountAction } = await import("@/app/(bank)/accounts/actions");
const { createTokenAction } = await import("@/app/(bank)/settings/tokens/actions");
const { transferAction } = await import("@/app/(bank)/transfers/actions");

function form(fields: Record<string, string>): FormData {
  const data = new FormData();
  for (const [key, value] of Object.entries(fields)) data.set(key, value);
  return data;
}
const idle = { status: "idle" as const, commandId: randomUUID() };

describe.each(backends)("customer server actions called directly on $name", (backend) => {
  let t: TestDatabase;
  let owner: SessionUser;
  let stranger: SessionUser;
  let accountId: string;
  const signInAs = (user: SessionUser | null) => {
    session.user = user;
  };

  beforeAll(async () => {
    t = await backend.create();
    // The app's process-wide database is this test's database.
    // (The module keeps a reference to this cache object, so fill it in rather than replace it.)
    const global = globalThis as { __ledgerlineDb?: { handle?: Promise<DatabaseHandle> } };
    (global.__ledgerlineDb ??= {}).handle = Promise.resolve(t.handle);
    owner = await registerUser(t.db, { name: "Olive Owner", email: `owner-${randomUUID()}@example.com`, password: "olive tree branch" });
    stranger = await registerUser(t.db, { name: "Sam Stranger", email: `sam-${randomUUID()}@example.com`, password: "quiet river stone" });
    ({ accountId } = await openAccount(
      context(t.db),
      { customerId: owner.id, currency: "EUR" },
      meta({ actor: { id: owner.id, role: "customer" } }),
    ));
    await depositMoney(context(t.db), { accountId, amount: 2500 }, meta({ actor: { id: owner.id, role: "customer" } }));
  });
  afterAll(() => t.drop());
  beforeEach(() => signInAs(null));

  it("refuses another customer's account id in the deposit and withdraw actions, appending nothing", async () => {
    signInAs(stranger);
    const before = await countEvents(t.db);
    for (const action of [depositAction, withdrawAction]) {
      const state = await action(idle, form({ accountId, amount: "5.00", commandId: randomUUID() }));
      expect(state).toMatchObject({ status: "error", message: "Account not found." });
    }
    expect(await countEvents(t.db)).toBe(before);
    expect(await accountBalance(t.db, accountId)).toBe(2500n);
  });

  it("refuses a caller with no session, appending nothing", async () => {
    const before = await countEvents(t.db);
    const state = await depositAction(idle, form({ accountId, amount: "5.00", commandId: randomUUID() }));
    expect(state.status).toBe("error");
    expect(await countEvents(t.db)).toBe(before);
  });

  it("lets the owner deposit through the same action, once per command id", async () => {
    signInAs(owner);
    const before = await countEvents(t.db);
    const commandId = randomUUID();
    const first = await depositAction(idle, form({ accountId, amount: "5.00", commandId }));
    const again = await depositAction(idle, form({ accountId, amount: "5.00", commandId }));
    expect(first).toMatchObject({ status: "success", message: "Deposited €5.00. New balance: €30.00." });
    expect(again.status).toBe("success");
    expect(await countEvents(t.db)).toBe(before + 1);
    expect(await accountBalance(t.db, accountId)).toBe(3000n);
  });

  it.each(["", "0", "-5", "1.234", "abc", "1e9999", "99999999999"])("refuses the amount %j next to the field, appending nothing", async (amount) => {
    signInAs(owner);
    const before = await countEvents(t.db);
    const state = await depositAction(idle, form({ accountId, amount, commandId: randomUUID() }));
    expect(state.status).toBe("invalid");
    expect(state.fieldErrors?.amount?.length).toBeGreaterThan(0);
    expect(await countEvents(t.db)).toBe(before);
  });

  it("opens one account for an open-account form sent twice, and both answers lead to it", async () => {
    signInAs(owner);
    redirected.to = [];
    const commandId = randomUUID();
    for (let i = 0; i < 2; i++) {
      await expect(openAccountAction({ status: "idle" }, form({ currency: "GBP", nickname: "Twice", commandId }))).rejects.toThrow("NEXT_REDIRECT");
    }
    expect(redirected.to).toHaveLength(2);
    expect(redirected.to[1]).toBe(redirected.to[0]);
    const opened = rowsOf<{ n: number }>(
      await t.db.execute(sql`select count(*)::int as n from account_summary where customer_id = ${owner.id} and nickname = 'Twice'`),
    );
    expect(opened[0]?.n).toBe(1);
  });

  it("makes one token for a token form sent twice, and says the secret was shown once", async () => {
    signInAs(owner);
    const commandId = randomUUID();
    const first = await createTokenAction({ status: "idle" }, form({ name: "Budget script", lifetimeDays: "7", commandId }));
    expect(first).toMatchObject({ status: "created", name: "Budget script", token: expect.stringMatching(/^llt_/) });
    const again = await createTokenAction({ status: "idle" }, form({ name: "Budget script", lifetimeDays: "7", commandId }));
    expect(again).toMatchObject({ status: "error", message: expect.stringContaining("shown only once") });
    expect(again.token).toBeUndefined();
    const tokens = rowsOf<{ n: number }>(
      await t.db.execute(sql`select count(*)::int as n from api_tokens where user_id = ${owner.id} and name = 'Budget script'`),
    );
    expect(tokens[0]?.n).toBe(1);
  });

  it("attack: a session whose last proof of identity is older than five minutes cannot mint an API token", async () => {
    signInAs(stranger);
    const { testSessionFor } = await import("../support/sessions");
    const sessionId = await testSessionFor(stranger);
    await t.db.execute(sql`update user_sessions set authenticated_at = now() - interval '6 minutes' where id = ${sessionId}`);
    const refused = await createTokenAction({ status: "idle" }, form({ name: "Stolen cookie", lifetimeDays: "365", commandId: randomUUID() }));
    expect(refused).toMatchObject({ status: "error", message: expect.stringContaining("confirm it is you") });
    expect(refused.token).toBeUndefined();
    const tokens = rowsOf<{ n: number }>(await t.db.execute(sql`select count(*)::int as n from api_tokens where user_id = ${stranger.id}`));
    expect(tokens[0]?.n).toBe(0);
  });

  it("a transfer to an account number shows its holder's masked name for review, and names an unknown number or another currency", async () => {
    const strangerActor = meta({ actor: { id: stranger.id, role: "customer" as const } });
    const { accountId: theirs } = await openAccount(context(t.db), { customerId: stranger.id, currency: "EUR" }, strangerActor);
    const { accountId: theirDollars } = await openAccount(context(t.db), { customerId: stranger.id, currency: "USD" }, strangerActor);
    const numberOf = async (id: string) =>
      rowsOf<{ number: string }>(await t.db.execute(sql`select number from account_summary where account_id = ${id}`))[0]!.number;
    signInAs(owner);
    const review = (toAccountNumber: string) =>
      transferAction(
        { stage: "edit", commandId: randomUUID(), values: {} as never },
        form({ intent: "review", commandId: randomUUID(), fromAccountId: accountId, destination: "other", toAccountNumber, amount: "1.00" }),
      );
    const printed = formatAccountNumber(await numberOf(theirs));
    expect(await review(printed)).toMatchObject({ stage: "confirm", review: { payeeName: "S** St******", payeeNumber: printed } });
    // A well-formed number (its check digits right) that no account has.
    expect(await review(accountNumberFromDigits("00000000"))).toMatchObject({
      stage: "edit",
      fieldErrors: { toAccountNumber: ["No account has that number."] },
    });
    expect(await review(await numberOf(theirDollars))).toMatchObject({
      stage: "edit",
      fieldErrors: { toAccountNumber: ["Transfers must stay in one currency: your account holds EUR and the payee's holds USD."] },
    });
  });

  it("a resent transfer confirmation shows the first transfer and moves the money once", async () => {
    signInAs(owner);
    redirected.to = [];
    const { accountId: savings } = await openAccount(
      context(t.db),
      { customerId: owner.id, currency: "EUR" },
      meta({ actor: { id: owner.id, role: "customer" } }),
    );
    const before = await accountBalance(t.db, accountId);
    const commandId = randomUUID();
    const confirm = form({
      intent: "confirm",
      commandId,
      fromAccountId: accountId,
      destination: "own",
      toAccountId: savings,
      amount: "1.00",
      reference: "Twice",
    });
    for (let i = 0; i < 2; i++)
      await expect(transferAction({ stage: "edit", commandId, values: {} as never }, confirm)).rejects.toThrow("NEXT_REDIRECT");
    expect(redirected.to).toHaveLength(2);
    expect(redirected.to[1]).toBe(redirected.to[0]);
    expect(await accountBalance(t.db, accountId)).toBe(before - 100n);
    expect(await accountBalance(t.db, savings)).toBe(100n);
  });

  it("the transfer review refuses what the confirm would refuse, at the field the customer filled in, every problem at once and writing nothing", async () => {
    signInAs(owner);
    const ownerMeta = meta({ actor: { id: owner.id, role: "customer" } });
    const { accountId: dollars } = await openAccount(context(t.db), { customerId: owner.id, currency: "USD" }, ownerMeta);
    const { accountId: spare } = await openAccount(context(t.db), { customerId: owner.id, currency: "EUR" }, ownerMeta);
    const before = await countEvents(t.db);
    const review = (fields: Record<string, string>) =>
      transferAction(
        { stage: "edit", commandId: randomUUID(), values: {} as never },
        form({ intent: "review", commandId: randomUUID(), fromAccountId: accountId, ...fields }),
      );

    // Above the most one transfer may move: said at the review, not only after "Confirm".
    const tooMuch = await review({ destination: "own", toAccountId: spare, amount: "99999999999" });
    expect(tooMuch).toMatchObject({ stage: "edit", fieldErrors: { amount: [expect.stringContaining("above the limit")] } });
    expect(tooMuch).not.toHaveProperty("review");

    const otherCurrency = await review({ destination: "own", toAccountId: dollars, amount: "1.00" });
    expect(otherCurrency).toMatchObject({
      stage: "edit",
      fieldErrors: { toAccountId: ["Transfers must stay in one currency: your account holds EUR and the payee's holds USD."] },
    });

    const twoProblems = await review({ destination: "other", toAccountNumber: "not a number", amount: "abc" });
    expect(Object.keys(twoProblems.fieldErrors ?? {}).sort()).toEqual(["amount", "toAccountNumber"]);
    expect(twoProblems.fieldErrors?.toAccountNumber?.[0]).toContain("check it for typos");

    const badIban = await review({ destination: "bank", toIban: "DE89 3704 0044 0532 0130 01", payeeName: "Erika Mustermann", amount: "30.00" });
    expect(badIban.fieldErrors).toEqual({ toIban: [expect.stringContaining("not a valid IBAN")] });

    const fine = await review({ destination: "own", toAccountId: spare, amount: "2.50", reference: "Checked" });
    expect(fine).toMatchObject({ stage: "confirm", review: { amount: "€2.50", payeeName: "EUR account" } });
    expect(await countEvents(t.db)).toBe(before);
  });
});
