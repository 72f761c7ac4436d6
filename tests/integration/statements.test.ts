import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

import { issueApiToken } from "@/lib/auth/api-tokens";
import type { SessionUser } from "@/lib/auth/users";
import { depositMoney, withdrawMoney } from "@/lib/commands/accounts";
import { updateProfile } from "@/lib/commands/profile";
import { requestTransfer } from "@/lib/commands/transfers";
import { rowsOf, type DatabaseHandle } from "@/lib/db/client";
import { accountSummary, auditLog, statementEntries } from "@/lib/db/schema";
import { monthBounds, monthOf, monthText, type StatementMonth } from "@/lib/domain/account/monthly-statement";
import { formatMoney } from "@/lib/domain/shared/money";
import { driveTransfer } from "@/lib/process-managers/transfer-runner";
import { readStatementPage, SEARCH_WINDOW, statementDocument, type StatementFilter } from "@/lib/read-models/accounts";

import { signedIn } from "../support/auth-mock";
import { customerWithAccount } from "../support/bank";
import { context, meta } from "../support/commands";
import { backends, type TestDatabase } from "../support/databases";
import { pdfText } from "../support/pdf-text";
import { countEvents } from "../support/queries";

vi.mock("@/lib/auth/config", async () => (await import("../support/auth-mock")).authConfigMock);
vi.mock("next/navigation", () => ({
  redirect: () => {
    throw new Error("NEXT_REDIRECT");
  },
  notFound: () => {
    throw new Error("NEXT_NOT_FOUND");
  },
}));

vi.mock("next/cache", () => ({ revalidatePath: vi.fn() }));

const dal = await import("@/lib/dal/accounts");
const { updateProfileAction } = await import("@/app/(bank)/settings/profile/actions");
const { depositAction } = await import("@/app/(bank)/accounts/actions");
const csvRoute = await import("@/app/(bank)/accounts/[accountId]/statement.csv/route");
const pdfRoute = await import("@/app/(bank)/accounts/[accountId]/statement.pdf/route");
const apiStatement = await import("@/app/api/v1/accounts/[accountId]/statement/route");
const apiPdf = await import("@/app/api/v1/accounts/[accountId]/statements/[month]/route");

const TIME_ZONE = "Europe/Berlin";

const previous = (month: StatementMonth, by: number): StatementMonth => {
  const index = month.year * 12 + (month.month - 1) - by;
  return { year: Math.floor(index / 12), month: (index % 12) + 1 };
};
const lastDay = (month: StatementMonth) => new Date(monthBounds(month, "UTC").end.getTime() - 86_400_000).toISOString().slice(0, 10);
const firstDay = (month: StatementMonth) => `${monthText(month)}-01`;

describe.each(backends)("statement search, monthly summary and PDF statements on $name", (backend) => {
  let t: TestDatabase;
  let owner: Awaited<ReturnType<typeof customerWithAccount>> & { token: string };
  let payer: Awaited<ReturnType<typeof customerWithAccount>>;
  let stranger: Awaited<ReturnType<typeof customerWithAccount>> & { token: string };
  const thisMonth = monthOf(new Date(), TIME_ZONE);
  const twoAgo = previous(thisMonth, 2);
  const oneAgo = previous(thisMonth, 1);

  const signInAs = (user: SessionUser | null) => {
    signedIn.user = user;
  };
  const apiGet = (handler: typeof apiStatement.GET, path: string, token: string, params: Record<string, string>) =>
    handler(new Request(`http://localhost/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } }), { params: Promise.resolve(params) });

  beforeAll(async () => {
    t = await backend.create();
    const global = globalThis as { __ledgerlineDb?: { handle?: Promise<DatabaseHandle> } };
    (global.__ledgerlineDb ??= {}).handle = Promise.resolve(t.handle);
    const created = await customerWithAccount(t.db, { name: "Olga Owner", balance: 100_000 });
    owner = { ...created, token: (await issueApiToken(t.db, created.user, { name: "read", lifetimeDays: 1, scope: "read" }, { via: "api" })).token };
    payer = await customerWithAccount(t.db, { name: "Zoltan Payer", balance: 50_000 });
    const other = await customerWithAccount(t.db, { name: "Sam Stranger", balance: 1_000 });
    stranger = { ...other, token: (await issueApiToken(t.db, other.user, { name: "read", lifetimeDays: 1 }, { via: "api" })).token };
    await updateProfile(t.db, owner.user, { name: "Olga Owner", locale: "de-DE", timeZone: TIME_ZONE }, meta(owner.actor));
    const ctx = context(t.db);
    await depositMoney(ctx, { accountId: owner.accountId, amount: 12_345, reference: "Rent November flat 3" }, meta(owner.actor));
    await withdrawMoney(ctx, { accountId: owner.accountId, amount: 2_500, reference: "Coffee beans" }, meta(owner.actor));
    await withdrawMoney(ctx, { accountId: owner.accountId, amount: 9_999_999, reference: "Too much" }, meta(owner.actor));
    const { transferId } = await requestTransfer(
      ctx,
      { fromAccountId: payer.accountId, toAccountId: owner.accountId, amount: 7_000, reference: "Dinner share" },
      meta(payer.actor),
    );
    await driveTransfer({ ctx, runnerId: "statements-test" }, transferId);
    await depositMoney(ctx, { accountId: owner.accountId, amount: 50, reference: "Rental refund" }, meta(owner.actor));
    // The store stamps entries with the transaction's time, so history is made by moving the read
    // model's dates back: the opening deposit and the rent to the month before last, nothing in the
    // month after, the rest now. (The events keep their own times; only this read model is dated.)
    const inTwoAgo = new Date(monthBounds(twoAgo, TIME_ZONE).start.getTime() + 3 * 86_400_000);
    await t.db
      .update(statementEntries)
      .set({ recordedAt: inTwoAgo })
      .where(and(eq(statementEntries.accountId, owner.accountId), sql`${statementEntries.streamPosition} <= 3`));
    await t.db.update(accountSummary).set({ openedAt: inTwoAgo }).where(eq(accountSummary.accountId, owner.accountId));
  });
  afterAll(() => t.drop());
  beforeEach(() => signInAs(null));

  async function search(params: Record<string, string>) {
    signInAs(owner.user);
    const account = await dal.getMyAccount(owner.accountId);
    const { filter, errors } = await dal.parseMyStatementFilter(account, params);
    if (Object.keys(errors).length > 0) return { errors, entries: [] };
    const { cursor, ...rest } = filter;
    return { errors, entries: (await dal.getStatementPage(owner.accountId, rest, cursor)).entries };
  }

  it("finds movements by words of the reference or the counterparty, as word prefixes, using the text index", async () => {
    expect((await search({ q: "rent" })).entries.map((e) => e.reference)).toEqual(["Rental refund", "Rent November flat 3"]);
    expect((await search({ q: "RENT nov" })).entries.map((e) => e.reference)).toEqual(["Rent November flat 3"]);
    expect((await search({ q: "zoltan" })).entries.map((e) => e.reference)).toEqual(["Dinner share"]);
    expect((await search({ q: "coffee & !beans |" })).entries.map((e) => e.reference)).toEqual(["Coffee beans"]);
    expect((await search({ q: "nothing-like-this" })).entries).toEqual([]);
    // The query's expression is the indexed one (with sequential scans off, the plan must use it).
    const plan = await t.db.transaction(async (tx) => {
      await tx.execute(sql`set local enable_seqscan = off`);
      return rowsOf<{ "QUERY PLAN": string }>(
        await tx.execute(sql`explain select 1 from statement_entries where ${statementDocument()} @@ to_tsquery('simple', 'rent:*')`),
      );
    });
    expect(plan.map((row) => row["QUERY PLAN"]).join("\n")).toContain("statement_entries_account_text_idx");
  });

  it("filters by amount range (typed in the account's currency) and by dates in the customer's time zone", async () => {
    expect((await search({ min: "25", max: "123.45" })).entries.map((e) => e.amount)).toEqual(["7000", "2500", "12345"]);
    expect((await search({ max: "0.50" })).entries.map((e) => e.amount)).toEqual(["50"]);
    expect((await search({ min: "1001" })).entries.map((e) => e.outcome)).toEqual(["rejected"]);
    const old = await search({ from: firstDay(twoAgo), to: lastDay(twoAgo) });
    expect(old.entries.map((e) => e.position)).toEqual(["3", "2"]);
    expect((await search({ from: firstDay(oneAgo), to: lastDay(oneAgo) })).entries).toEqual([]);
    expect((await search({ from: firstDay(thisMonth), q: "rent" })).entries.map((e) => e.reference)).toEqual(["Rental refund"]);
  });

  it("finds every match of a long account's search, page by page, whether it is common among the newest entries or only in old ones", async () => {
    // More entries than a search reads in order before it asks the indexes: a rare reference only
    // in old entries (some just past the window's edge), a common one everywhere, amounts cycling.
    const { accountId } = await customerWithAccount(t.db, { name: "Lena Long", balance: 0 });
    const total = SEARCH_WINDOW + 700;
    const reference = (n: number) =>
      n % 3 === 0 ? "Groceries market" : [5, 601, 650, 698, 701].includes(n) ? `Pension fund ${n}` : `Card payment ${n}`;
    const rows = Array.from({ length: total }, (_, i) => ({
      accountId,
      streamPosition: BigInt(1_000 + i),
      globalPosition: BigInt(9_000_000 + i),
      eventId: crypto.randomUUID(),
      kind: "deposit",
      outcome: "posted" as const,
      amount: BigInt(100 + (i % 500)),
      balanceChange: BigInt(100 + (i % 500)),
      balanceAfter: 0n,
      currency: "EUR" as const,
      reference: reference(i),
      counterparty: null,
      recordedAt: new Date(Date.UTC(2026, 0, 1) + i * 60_000),
    }));
    for (let i = 0; i < rows.length; i += 500) await t.db.insert(statementEntries).values(rows.slice(i, i + 500));
    const everyPage = async (filter: StatementFilter) => {
      const seen: string[] = [];
      let cursor: bigint | undefined;
      do {
        const page = await readStatementPage(t.db, accountId, filter, cursor, 25);
        seen.push(...page.rows.map((row) => `${row.streamPosition}:${row.reference}`));
        cursor = page.nextCursor ?? undefined;
      } while (cursor !== undefined);
      return seen;
    };
    const expected = (keep: (i: number) => boolean) =>
      rows.flatMap((row, i) => (keep(i) ? [`${row.streamPosition}:${row.reference}`] : [])).reverse();
    const pension = await everyPage({ kind: "all", text: "pension" });
    expect(pension).toEqual(expected((i) => reference(i).startsWith("Pension")));
    expect(pension).toHaveLength(5);
    expect(await everyPage({ kind: "all", text: "groceries" })).toEqual(expected((i) => i % 3 === 0));
    expect(await everyPage({ kind: "all", minAmount: 105n, maxAmount: 106n })).toEqual(expected((i) => [5, 6].includes(i % 500)));
    expect(await everyPage({ kind: "all", text: "pension", minAmount: 101n })).toEqual(
      expected((i) => reference(i).startsWith("Pension") && i % 500 >= 1),
    );
    expect(await everyPage({ kind: "all", text: "nowhere" })).toEqual([]);
  });

  it("refuses bad search input with a message per field, and runs nothing", async () => {
    const bad = await search({
      q: "x".repeat(101),
      min: "abc",
      max: "1.234",
      from: "2026-02-30",
      to: "yesterday",
      type: "gifts",
      cursor: "1 or 1=1",
    });
    expect(bad.errors).toEqual({
      q: "Search for at most 100 characters.",
      min: "Enter an amount as a number, like 25 or 25.50.",
      max: "Use at most 2 decimal places for EUR.",
      from: "Enter a date like 2026-11-23.",
      to: "Enter a date like 2026-11-23.",
      type: "Choose a type from the list.",
      cursor: "This page link is not valid; start from the newest movements.",
    });
    expect((await search({ q: "&|!()" })).errors).toEqual({ q: "Search for a word or number from a reference or a name." });
    expect((await search({ min: "10", max: "5" })).errors).toEqual({ max: "The largest amount is below the smallest." });
    expect((await search({ from: "2026-11-02", to: "2026-11-01" })).errors).toEqual({ to: "The end date is before the start date." });
    signInAs(owner.user);
    const csv = await csvRoute.GET(new Request(`http://localhost/accounts/${owner.accountId}/statement.csv?min=abc`), {
      params: Promise.resolve({ accountId: owner.accountId }),
    });
    expect(csv.status).toBe(400);
    expect(await csv.text()).toBe("Enter an amount as a number, like 25 or 25.50.");
  });

  it("serves the same filters over the API, refusing bad ones with 422 and another customer's account with 404", async () => {
    const path = `/accounts/${owner.accountId}/statement`;
    const found = await apiGet(apiStatement.GET, `${path}?q=rent&minAmount=100&maxAmount=20000`, owner.token, { accountId: owner.accountId });
    expect(found.status).toBe(200);
    expect((await found.json()).entries.map((e: { reference: string }) => e.reference)).toEqual(["Rent November flat 3"]);
    const dated = await apiGet(apiStatement.GET, `${path}?from=${firstDay(oneAgo)}&to=${lastDay(oneAgo)}`, owner.token, {
      accountId: owner.accountId,
    });
    expect((await dated.json()).entries).toEqual([]);
    for (const query of ["q=" + "y".repeat(101), "q=%26%26", "minAmount=-5", "minAmount=1.5", "maxAmount=1&minAmount=2", "from=2026-11-31"]) {
      const response = await apiGet(apiStatement.GET, `${path}?${query}`, owner.token, { accountId: owner.accountId });
      expect(response.status, query).toBe(422);
      const body = await response.json();
      expect(body.code).toBe("VALIDATION_FAILED");
      expect(body.errors.length, query).toBeGreaterThan(0);
      expect(typeof body.errors[0].message).toBe("string");
    }
    const theirs = await apiGet(apiStatement.GET, `${path}?q=rent`, stranger.token, { accountId: owner.accountId });
    expect(theirs.status).toBe(404);
    expect(JSON.stringify(await theirs.json())).not.toContain("Rent");
  });

  it("refuses another customer's account in the portal's search, CSV and PDF", async () => {
    signInAs(stranger.user);
    await expect(dal.getStatementPage(owner.accountId, { kind: "all", text: "rent" }, undefined)).rejects.toThrow("NEXT_NOT_FOUND");
    const params = { params: Promise.resolve({ accountId: owner.accountId }) };
    const csv = await csvRoute.GET(new Request(`http://localhost/accounts/${owner.accountId}/statement.csv?q=rent`), params);
    expect(csv.status).toBe(404);
    const pdf = await pdfRoute.GET(new Request(`http://localhost/accounts/${owner.accountId}/statement.pdf?month=${monthText(thisMonth)}`), params);
    expect(pdf.status).toBe(404);
    signInAs(null);
    expect(
      (await pdfRoute.GET(new Request(`http://localhost/accounts/${owner.accountId}/statement.pdf?month=${monthText(thisMonth)}`), params)).status,
    ).toBe(401);
  });

  it("sums money in and out per month in the customer's time zone, months without movement included", async () => {
    signInAs(owner.user);
    const months = await dal.getMonthlySummary(owner.accountId);
    expect(months.map((m) => [m.key, m.moneyIn, m.moneyOut])).toEqual([
      [monthText(twoAgo), "112345", "0"],
      [monthText(oneAgo), "0", "0"],
      [monthText(thisMonth), "7050", "2500"],
    ]);
    expect(months[0]!.label).toMatch(/\d{4}/);
  });

  it("makes a PDF per month whose figures are the CSV's, in the customer's locale; an empty month opens and closes alike", async () => {
    signInAs(owner.user);
    const params = { params: Promise.resolve({ accountId: owner.accountId }) };
    // pdfjs reads the no-break space of "0,00 €" back as a plain one.
    const eur = (minor: bigint) => formatMoney(minor, "EUR", "de-DE").replace(/\s/gu, " ");
    for (const [month, opening, closing] of [
      [twoAgo, 0n, 112_345n],
      [oneAgo, 112_345n, 112_345n],
      [thisMonth, 112_345n, 116_895n],
    ] as const) {
      const response = await pdfRoute.GET(
        new Request(`http://localhost/accounts/${owner.accountId}/statement.pdf?month=${monthText(month)}`),
        params,
      );
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("application/pdf");
      const bytes = new Uint8Array(await response.arrayBuffer());
      expect(new TextDecoder().decode(bytes.slice(0, 5))).toBe("%PDF-");
      const text = await pdfText(bytes);
      expect(text).toContain("Opening balance");
      const lines = text.split("\n").map((line) => line.replace(/\s/gu, " "));
      expect(lines[lines.indexOf("Opening balance") + 1]).toBe(eur(opening));
      expect(lines[lines.indexOf("Closing balance") + 1]).toBe(eur(closing));

      // The CSV of the same days: its last balance is the PDF's closing, its movements the PDF's lines.
      const csv = await csvRoute.GET(
        new Request(`http://localhost/accounts/${owner.accountId}/statement.csv?from=${firstDay(month)}&to=${lastDay(month)}`),
        params,
      );
      const rows = (await csv.text()).trim().split("\r\n").slice(1);
      const posted = rows.map((row) => row.split(",")).filter((cells) => cells[2] === "posted");
      const csvClosing = posted.length > 0 ? posted[0]![4]! : (Number(opening) / 100).toFixed(2);
      expect(csvClosing).toBe((Number(closing) / 100).toFixed(2));
      const movementsLine = lines.find((line) => line.startsWith("Movements ("));
      expect(movementsLine).toBe(`Movements (${posted.length})`);
      if (rows.length === 0) expect(text).toContain("No movements this month");
    }
  });

  it("serves the PDF over the API with a read token, refusing a bad month (422) and another customer's account (404)", async () => {
    const month = monthText(thisMonth);
    const ok = await apiGet(apiPdf.GET, `/accounts/${owner.accountId}/statements/${month}.pdf`, owner.token, {
      accountId: owner.accountId,
      month: `${month}.pdf`,
    });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("content-type")).toBe("application/pdf");
    expect(ok.headers.get("content-disposition")).toContain(`${month}.pdf`);
    const text = await pdfText(new Uint8Array(await ok.arrayBuffer()));
    expect(text).toContain("Olga Owner");
    for (const bad of [
      "2026-13.pdf",
      "2026-11",
      "../x.pdf",
      `${monthText(previous(thisMonth, 3))}.pdf`,
      `${monthText(previous(thisMonth, -1))}.pdf`,
    ]) {
      const response = await apiGet(apiPdf.GET, `/accounts/${owner.accountId}/statements/${bad}`, owner.token, {
        accountId: owner.accountId,
        month: bad,
      });
      expect(response.status, bad).toBe(422);
      expect((await response.json()).errors[0].field).toBe("month");
    }
    const theirs = await apiGet(apiPdf.GET, `/accounts/${owner.accountId}/statements/${month}.pdf`, stranger.token, {
      accountId: owner.accountId,
      month: `${month}.pdf`,
    });
    expect(theirs.status).toBe(404);
  });

  it("records profile changes as events on the user's stream and in the audit trail, and nothing when nothing changed", async () => {
    const before = await countEvents(t.db);
    expect(await updateProfile(t.db, owner.user, { name: "Olga O.", locale: "fr-FR", timeZone: TIME_ZONE }, meta(owner.actor))).toBe(2);
    expect(await countEvents(t.db)).toBe(before + 2);
    expect(await updateProfile(t.db, owner.user, { name: "Olga O.", locale: "fr-FR", timeZone: TIME_ZONE }, meta(owner.actor))).toBe(0);
    expect(await countEvents(t.db)).toBe(before + 2);
    const audit = await t.db
      .select({ type: auditLog.eventType, summary: auditLog.summary })
      .from(auditLog)
      .where(eq(auditLog.customerId, owner.user.id));
    expect(audit.map((row) => row.type)).toEqual(expect.arrayContaining(["DisplayNameChanged", "LocaleChanged"]));
    for (const input of [
      { name: "Olga", locale: "xx-XX", timeZone: TIME_ZONE },
      { name: "Olga", locale: "de-DE", timeZone: "Mars/Olympus" },
      { name: "", locale: "de-DE", timeZone: TIME_ZONE },
      { name: "O".repeat(101), locale: "de-DE", timeZone: TIME_ZONE },
    ]) {
      await expect(updateProfile(t.db, owner.user, input, meta(owner.actor))).rejects.toThrow();
    }
    expect(await countEvents(t.db)).toBe(before + 2);
    await updateProfile(t.db, owner.user, { name: "Olga Owner", locale: "de-DE", timeZone: TIME_ZONE }, meta(owner.actor));
  });

  it("saves the profile from the portal's form, refusing oversized or unknown values by field, and formats the next answer in the new locale", async () => {
    signInAs(owner.user);
    const form = (fields: Record<string, string>) => {
      const data = new FormData();
      for (const [key, value] of Object.entries(fields)) data.set(key, value);
      return data;
    };
    const idle = { status: "idle" as const, values: { name: "", locale: "", timeZone: "" } };
    const before = await countEvents(t.db);
    const bad = await updateProfileAction(idle, form({ name: "N".repeat(10_000), locale: "tlh-KL", timeZone: "Europe/Atlantis" }));
    expect(bad.status).toBe("error");
    expect(bad.fieldErrors).toEqual({
      name: ["Use at most 100 characters."],
      locale: ["Choose a language from the list (en-GB, en-US, de-DE, fr-FR, nl-NL)."],
      timeZone: ["Choose a time zone from the list (like Europe/Berlin)."],
    });
    expect(await countEvents(t.db)).toBe(before);
    expect((await updateProfileAction(idle, form({ name: "Olga Owner", locale: "en-US", timeZone: "America/New_York" }))).status).toBe("saved");
    const state = await depositAction(
      { status: "idle", commandId: crypto.randomUUID() },
      form({ accountId: owner.accountId, amount: "1234.5", commandId: crypto.randomUUID() }),
    );
    expect(state.message).toBe("Deposited €1,234.50. New balance: €2,403.45.");
    expect((await updateProfileAction(idle, form({ name: "Olga Owner", locale: "de-DE", timeZone: TIME_ZONE }))).status).toBe("saved");
    const again = await depositAction(
      { status: "idle", commandId: crypto.randomUUID() },
      form({ accountId: owner.accountId, amount: "1", commandId: crypto.randomUUID() }),
    );
    expect(again.message?.replace(/\s/gu, " ")).toBe("Deposited 1,00 €. New balance: 2.404,45 €.");
  });
});
