import { randomUUID } from "node:crypto";

import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

import { registerUser, type SessionUser } from "@/lib/auth/users";
import { depositMoney, freezeAccount, unfreezeAccount, withdrawMoney } from "@/lib/commands/accounts";
import { rowsOf, type DatabaseHandle } from "@/lib/db/client";
import { toDate } from "@/lib/event-store/read";
import { auditCsv } from "@/lib/export/audit-csv";
import { parseAuditFilter } from "@/lib/read-models/audit-filter";

import { signedIn as session } from "../support/auth-mock";
import { customerWithAccount } from "../support/bank";
import { context, meta } from "../support/commands";
import { backends, type TestDatabase } from "../support/databases";

vi.mock("@/lib/auth/config", async () => (await import("../support/auth-mock")).authConfigMock);
vi.mock("next/cache", () => ({ revalidatePath: vi.fn() }));

const { getAuditPage, getAuditForExport } = await import("@/lib/dal/admin/audit");
const { getAccountHistory, parseHistoryTarget } = await import("@/lib/dal/admin/history");
const { GET: auditCsvRoute } = await import("@/app/admin/audit.csv/route");

describe.each(backends)("audit trail and time travel on $name", (backend) => {
  let t: TestDatabase;
  let admin: SessionUser;
  let subject: Awaited<ReturnType<typeof customerWithAccount>>;
  let accountNumber: string;
  const ctx = () => context(t.db);
  const asAdmin = () => meta({ actor: { id: admin.id, role: "admin" } });

  beforeAll(async () => {
    t = await backend.create();
    const global = globalThis as { __ledgerlineDb?: { handle?: Promise<DatabaseHandle> } };
    (global.__ledgerlineDb ??= {}).handle = Promise.resolve(t.handle);
    admin = await registerUser(
      t.db,
      { name: "Audra Admin", email: `audra-${randomUUID()}@example.com`, password: "steady audit trail" },
      { role: "admin" },
    );
    session.user = { id: admin.id, email: admin.email, name: admin.name, role: "admin" };

    // A known history: 1 opened, 2 +100.00, 3 -30.50, 4 frozen, 5 deposit refused, 6 unfrozen, 7 +5.00.
    subject = await customerWithAccount(t.db, { name: "Hana History" });
    const id = subject.accountId;
    // A few milliseconds apart, so each event has its own instant for time travel by date.
    const pause = () => new Promise((resolve) => setTimeout(resolve, 5));
    await pause();
    await depositMoney(ctx(), { accountId: id, amount: 10_000, reference: "salary" }, meta(subject.actor));
    await pause();
    await withdrawMoney(ctx(), { accountId: id, amount: 3_050, reference: "rent" }, meta(subject.actor));
    await pause();
    await freezeAccount(ctx(), { accountId: id, category: "compliance_review", reason: "Unusual login" }, asAdmin());
    await pause();
    await depositMoney(ctx(), { accountId: id, amount: 500, reference: "blocked" }, meta(subject.actor));
    await pause();
    await unfreezeAccount(ctx(), { accountId: id, reason: "Customer verified" }, asAdmin());
    await pause();
    await depositMoney(ctx(), { accountId: id, amount: 500, reference: "after" }, meta(subject.actor));
    accountNumber = rowsOf<{ number: string }>(await t.db.execute(sql`select number from account_summary where account_id = ${id}`))[0]!.number;

    // Noise from someone else, so filters have something to leave out.
    const other = await customerWithAccount(t.db, { name: "Olly Other", balance: 700 });
    await withdrawMoney(ctx(), { accountId: other.accountId, amount: 100 }, meta(other.actor));
  });
  afterAll(() => t.drop());

  describe("time travel", () => {
    const balanceAt = async (position: number) => {
      const history = await getAccountHistory(subject.accountId, { kind: "position", position: BigInt(position) });
      return { position: history.target.position, status: history.state?.status, balance: history.state?.balance, event: history.event?.type };
    };

    it("shows the balance and status replayed to three chosen positions", async () => {
      expect(await balanceAt(2)).toEqual({ position: "2", status: "Active", balance: "10000", event: "MoneyDeposited" });
      expect(await balanceAt(5)).toEqual({ position: "5", status: "Frozen", balance: "6950", event: "DepositRejected" });
      expect(await balanceAt(7)).toEqual({ position: "7", status: "Active", balance: "7450", event: "MoneyDeposited" });
    });

    it("before opening there is no account; past the end is now; the timeline lists positions around the target", async () => {
      const before = await getAccountHistory(subject.accountId, { kind: "position", position: 0n });
      expect(before.state).toBeNull();
      const latest = await getAccountHistory(subject.accountId, parseHistoryTarget({}));
      const beyond = await getAccountHistory(subject.accountId, parseHistoryTarget({ position: "999" }));
      expect(latest.target.position).toBe("7");
      expect(beyond.state).toEqual(latest.state);
      expect(latest.timeline.map((entry) => entry.position)).toEqual(["1", "2", "3", "4", "5", "6", "7"]);
      expect(latest.timeline[3]).toMatchObject({ eventType: "AccountFrozen", summary: "Froze account (compliance review)" });
      const frozen = await getAccountHistory(subject.accountId, { kind: "position", position: 4n });
      expect(frozen.state).toMatchObject({ status: "Frozen", freezeCategory: "compliance_review", freezeReason: "Unusual login" });
    });

    it("an instant lands on the last event recorded at or before it", async () => {
      const rows = rowsOf<{ recorded_at: string }>(
        await t.db.execute(
          sql`select recorded_at::text as recorded_at from events where stream_id = ${`account-${subject.accountId}`} order by stream_position`,
        ),
      );
      const third = toDate(rows[2]!.recorded_at);
      const history = await getAccountHistory(subject.accountId, { kind: "at", at: third });
      expect(history.target.position).toBe("3");
      expect(history.state?.balance).toBe("6950");
      expect((await getAccountHistory(subject.accountId, { kind: "at", at: new Date(Date.parse("2000-01-01T00:00:00Z")) })).state).toBeNull();
    });

    it("reads ?position and ?at from the query string, ignoring anything else", () => {
      expect(parseHistoryTarget({ position: "3" })).toEqual({ kind: "position", position: 3n });
      expect(parseHistoryTarget({ at: "2026-11-20T14:30" })).toEqual({ kind: "at", at: new Date("2026-11-20T14:30:00Z") });
      expect(parseHistoryTarget({ at: "2026-11-20T14:30:05+01:00" })).toEqual({ kind: "at", at: new Date("2026-11-20T13:30:05Z") });
      expect(parseHistoryTarget({ position: "-1", at: "yesterday" })).toEqual({ kind: "latest" });
    });
  });

  describe("audit trail", () => {
    it("filters by account number, actor email and event type, with the admin's reason and what changed", async () => {
      const page = await getAuditPage({ account: accountNumber });
      expect(page.rows.map((row) => row.streamPosition)).toEqual(["7", "6", "5", "4", "3", "2", "1"]);
      const byAdmin = await getAuditPage({ account: subject.accountId, actor: admin.email.toUpperCase() });
      expect(byAdmin.rows.map((row) => [row.eventType, row.reason, row.actorEmail, row.outcome])).toEqual([
        ["AccountUnfrozen", "Customer verified", admin.email, "accepted"],
        ["AccountFrozen", "Unusual login", admin.email, "accepted"],
      ]);
      expect(byAdmin.rows[1]!.changes).toEqual({ status: { from: "Active", to: "Frozen" }, freezeCategory: { from: null, to: "compliance_review" } });
      const refused = await getAuditPage({ customer: subject.user.email, outcome: "rejected" });
      expect(refused.rows.map((row) => [row.summary, row.actorId])).toEqual([["Refused deposit of 5.00 EUR: ACCOUNT_FROZEN", subject.user.id]]);
      const registrations = await getAuditPage({ type: "UserRegistered", customer: subject.user.id });
      expect(registrations.rows).toHaveLength(1);
      // An email nobody has, or a malformed account number, matches nothing rather than everything.
      expect((await getAuditPage({ actor: "nobody@example.com" })).rows).toEqual([]);
      expect((await getAuditPage({ account: "LL00 0000 0000" })).rows).toEqual([]);
    });

    it("filters by date range, both ends included, in UTC", async () => {
      const today = new Date().toISOString().slice(0, 10);
      const all = await getAuditForExport({ account: subject.accountId });
      expect((await getAuditPage({ account: subject.accountId, from: today, to: today })).rows).toHaveLength(all!.length);
      expect((await getAuditPage({ account: subject.accountId, to: "2001-01-01" })).rows).toEqual([]);
      expect((await getAuditPage({ account: subject.accountId, from: "2999-01-01" })).rows).toEqual([]);
    });

    it("pages by keyset on the global position, newest first, with no row twice or missed", async () => {
      const everything = (await getAuditForExport({}))!;
      const seen: string[] = [];
      let cursor: bigint | undefined;
      for (let guard = 0; guard < 100; guard++) {
        const page = await getAuditPage({}, cursor, 4);
        seen.push(...page.rows.map((row) => row.position));
        if (!page.nextCursor) break;
        cursor = BigInt(page.nextCursor);
      }
      expect(seen).toEqual(everything.map((row) => row.position));
      expect(seen.map(Number)).toEqual([...seen.map(Number)].sort((a, b) => b - a));
    });

    it("the CSV for a filter holds exactly the rows the page shows for it", async () => {
      const query = `account=${encodeURIComponent(accountNumber)}&type=&outcome=&from=&to=`;
      const { filter } = parseAuditFilter(new URLSearchParams(query));
      const page = await getAuditPage(filter);
      const response = await auditCsvRoute(new Request(`http://localhost/admin/audit.csv?${query}`));
      const csv = await response.text();
      expect(csv).toBe(auditCsv(page.rows));
      const positions = csv
        .trimEnd()
        .split("\r\n")
        .slice(1)
        .map((line) => line.split(",")[0]);
      expect(positions).toEqual(page.rows.map((row) => row.position));
    });
  });
});
