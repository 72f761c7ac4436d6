import { describe, expect, it } from "vitest";

import { AUDIT_CSV_HEADER, auditCsv, describeChanges } from "@/lib/export/audit-csv";
import type { AuditRowDto } from "@/lib/read-models/audit";
import { auditBounds } from "@/lib/read-models/audit-bounds";
import { auditQuery, isFiltered, parseAuditFilter } from "@/lib/read-models/audit-filter";

describe("audit filter parsing (shared by the page and the CSV export)", () => {
  it("keeps known values and drops unknown or malformed ones", () => {
    const { filter, cursor } = parseAuditFilter(
      new URLSearchParams({
        actor: "  avery@ledgerline.dev ",
        account: "LL12 3456 7890",
        type: "AccountFrozen",
        outcome: "rejected",
        from: "2026-11-01",
        to: "2026-02-31",
        cursor: "1234",
        customer: "",
      }),
    );
    expect(filter).toEqual({
      actor: "avery@ledgerline.dev",
      account: "LL12 3456 7890",
      type: "AccountFrozen",
      outcome: "rejected",
      from: "2026-11-01",
    });
    expect(cursor).toBe(1234n);
  });

  it("ignores an unknown event type, an unknown outcome, control characters and a non-numeric cursor", () => {
    const { filter, cursor } = parseAuditFilter({ type: "DropTable", outcome: "maybe", actor: "a\u0000b", cursor: "12; drop" });
    expect(filter).toEqual({ actor: "ab" });
    expect(cursor).toBeUndefined();
  });

  it("round-trips through the query string the page links with", () => {
    const { filter } = parseAuditFilter({ customer: "c-1", type: "DepositRejected", from: "2026-01-01", to: "2026-01-31" });
    const again = parseAuditFilter(new URLSearchParams(auditQuery(filter, { cursor: "99" }).slice(1)));
    expect(again).toEqual({ filter, cursor: 99n });
    expect(auditQuery({})).toBe("");
    expect(isFiltered({})).toBe(false);
    expect(isFiltered(filter)).toBe(true);
  });

  it("reads dates as whole UTC days, both ends included", () => {
    expect(auditBounds("2026-01-01", "2026-01-31")).toEqual({
      from: new Date("2026-01-01T00:00:00Z"),
      to: new Date("2026-02-01T00:00:00Z"),
    });
  });
});

const row = (overrides: Partial<AuditRowDto> = {}): AuditRowDto => ({
  position: "42",
  recordedAt: "2026-11-20T10:00:00.000Z",
  actorId: "u-admin",
  actorRole: "admin",
  actorEmail: "avery@ledgerline.dev",
  eventType: "AccountFrozen",
  outcome: "accepted",
  streamId: "account-a1",
  streamPosition: "3",
  accountId: "a1",
  accountNumber: "LL1234567890",
  currency: "EUR",
  customerId: "c1",
  customerEmail: "dana@ledgerline.dev",
  summary: "Froze account (suspected fraud)",
  reason: "Card reported stolen, call from the customer",
  changes: { status: { from: "Active", to: "Frozen" }, freezeCategory: { from: null, to: "suspected_fraud" } },
  ...overrides,
});

describe("audit rows: changes and CSV", () => {
  it("describes changed fields, money in the account's currency", () => {
    expect(describeChanges({ balance: { from: "2500", to: "3000" } }, "EUR")).toEqual(["Balance: €25.00 → €30.00"]);
    expect(describeChanges({ balance: { from: "2500", to: "3000" } }, "EUR", "plain")).toEqual(["Balance: 25.00 EUR → 30.00 EUR"]);
    expect(describeChanges(row().changes, "EUR")).toEqual(["Status: Active → Frozen", "Freeze category: none → suspected fraud"]);
  });

  it("writes one line per row in the given order, quoting and neutralising formulas", () => {
    const csv = auditCsv([row(), row({ position: "41", reason: '=HYPERLINK("x"), said "hi"', outcome: "rejected", changes: {} })]);
    const lines = csv.trimEnd().split("\r\n");
    expect(lines[0]).toBe(AUDIT_CSV_HEADER.join(","));
    expect(lines).toHaveLength(3);
    expect(lines[1]?.startsWith("42,2026-11-20T10:00:00.000Z,u-admin,avery@ledgerline.dev,admin,AccountFrozen,accepted,account-a1,3,")).toBe(true);
    expect(lines[1]).toContain("Status: Active → Frozen; Freeze category: none → suspected fraud");
    expect(lines[2]).toContain(`"'=HYPERLINK(""x""), said ""hi"""`);
  });
});
