import { describe, expect, it } from "vitest";

import type { TransferViewRow } from "@/lib/db/schema";
import type { AccountEvent } from "@/lib/domain/account/events";
import type { TransferEvent } from "@/lib/domain/transfer/events";
import { projectAccountRun } from "@/lib/projections/account-projection";
import { evolveTransferView, RUNNABLE_STATUSES, transferAuditEntry } from "@/lib/projections/transfer-projection";

import {
  accountFrozen,
  accountOpened,
  counterparty,
  fundsReserved,
  moneyDeposited,
  moneyWithdrawn,
  openingData,
  reservationCaptured,
} from "./support/account-fixtures";
import { projectionSpecification, storedOn } from "./support/projection-spec";
import {
  destinationCredited,
  requestData,
  sourceDebitReserved,
  transferCompleted,
  transferFailed,
  transferHeld,
  transferRequested,
  transferScreened,
} from "./support/transfer-fixtures";

// Read models as pure functions of events: events in, rows out, no database. The inline
// projection, the rebuild and verify all run these, so these specs hold for all three.

const ACCOUNT = `account-${openingData.accountId}`;
const account = projectionSpecification((events: readonly ReturnType<typeof storedOn<AccountEvent>>[number][]) =>
  projectAccountRun(undefined, events),
);

describe("the account read models (account_summary, statement_entries, audit_log)", () => {
  it("open, deposit, withdraw: the summary holds the balance and counters, the statement the running balance, the audit trail every event", () => {
    account(storedOn(ACCOUNT, [accountOpened(), moneyDeposited(10_000n, "salary"), moneyWithdrawn(2_500n, "rent")])).then(
      ({ summary, statement, audit }) => {
        expect(summary).toMatchObject({
          accountId: "acc-1",
          currency: "EUR",
          status: "Active",
          balance: 7_500n,
          reserved: 0n,
          available: 7_500n,
          deposits: 1,
          withdrawals: 1,
          version: 3n,
        });
        expect(
          statement.map(({ kind, amount, balanceChange, balanceAfter, reference }) => ({ kind, amount, balanceChange, balanceAfter, reference })),
        ).toEqual([
          { kind: "deposit", amount: 10_000n, balanceChange: 10_000n, balanceAfter: 10_000n, reference: "salary" },
          { kind: "withdrawal", amount: 2_500n, balanceChange: -2_500n, balanceAfter: 7_500n, reference: "rent" },
        ]);
        expect(audit.map((row) => [row.eventType, row.outcome, row.summary])).toEqual([
          ["AccountOpened", "accepted", `Opened EUR account ${openingData.number}`],
          ["MoneyDeposited", "accepted", "Deposited 100.00 EUR"],
          ["MoneyWithdrawn", "accepted", "Withdrew 25.00 EUR"],
        ]);
        expect(audit[2]?.changes).toEqual({ balance: { from: "10000", to: "7500" }, available: { from: "10000", to: "7500" } });
      },
    );
  });

  it("a refused withdrawal is a statement line that changes nothing, and an audit row marked rejected", () => {
    const refused: AccountEvent = {
      type: "WithdrawalRejected",
      data: { amount: 9_000n, reference: null, code: "INSUFFICIENT_FUNDS", available: 1_000n },
    };
    account(storedOn(ACCOUNT, [accountOpened(), moneyDeposited(1_000n), refused])).then(({ summary, statement, audit }) => {
      expect(summary).toMatchObject({ balance: 1_000n, rejections: 1 });
      expect(statement[1]).toMatchObject({
        kind: "withdrawal",
        outcome: "rejected",
        balanceChange: 0n,
        balanceAfter: 1_000n,
        rejectionCode: "INSUFFICIENT_FUNDS",
      });
      expect(audit[2]).toMatchObject({ outcome: "rejected", changes: {} });
    });
  });

  it("a hold lowers the available money but writes no statement line; its capture is a transfer_out line with the counterparty", () => {
    account(storedOn(ACCOUNT, [accountOpened(), moneyDeposited(10_000n), fundsReserved("tr-9", 4_000n)])).then(({ summary, statement }) => {
      expect(summary).toMatchObject({ balance: 10_000n, reserved: 4_000n, available: 6_000n, reservations: { "tr-9": "4000" } });
      expect(statement).toHaveLength(1);
    });
    account(storedOn(ACCOUNT, [accountOpened(), moneyDeposited(10_000n), fundsReserved("tr-9", 4_000n), reservationCaptured("tr-9", 4_000n)])).then(
      ({ summary, statement }) => {
        expect(summary).toMatchObject({ balance: 6_000n, reserved: 0n, available: 6_000n, reservations: {} });
        expect(statement[1]).toMatchObject({
          kind: "transfer_out",
          amount: 4_000n,
          balanceAfter: 6_000n,
          transferId: "tr-9",
          counterparty: `${counterparty.name} (LL${counterparty.number.slice(2, 4)} ${counterparty.number.slice(4, 8)} ${counterparty.number.slice(8)})`,
        });
      },
    );
  });

  it("a freeze is in the summary (category and reason) and the audit trail, not the statement", () => {
    account(storedOn(ACCOUNT, [accountOpened(), accountFrozen("card reported stolen")])).then(({ summary, statement, audit }) => {
      expect(summary).toMatchObject({ status: "Frozen", freezeCategory: "suspected_fraud", freezeReason: "card reported stolen" });
      expect(statement).toEqual([]);
      expect(audit[1]).toMatchObject({
        summary: "Froze account (suspected fraud)",
        reason: "card reported stolen",
        changes: { status: { from: "Active", to: "Frozen" } },
      });
    });
  });

  it("rows carry the stored event's positions, id and time, and the summary the row after each event", () => {
    const events = storedOn(ACCOUNT, [accountOpened(), moneyDeposited(500n)], { firstGlobal: 41n });
    const { audit, statement, after } = projectAccountRun(undefined, events);
    expect(audit.map((row) => row.globalPosition)).toEqual([41n, 42n]);
    expect(statement[0]).toMatchObject({ globalPosition: 42n, streamPosition: 2n, eventId: events[1]?.eventId, recordedAt: events[1]?.recordedAt });
    expect(after.map((row) => row?.balance)).toEqual([0n, 500n]);
  });
});

const TRANSFER = `transfer-${requestData.transferId}`;
const view = projectionSpecification((events: readonly ReturnType<typeof storedOn<TransferEvent>>[number][]) =>
  events.reduce<TransferViewRow | undefined>((row, event) => evolveTransferView(row, event), undefined),
);

describe("the transfer read model (transfers_view) and its work queue", () => {
  it("a completed transfer lists each step with its time, and leaves the queue", () => {
    view(storedOn(TRANSFER, [transferRequested(), transferScreened(), sourceDebitReserved(), destinationCredited(), transferCompleted()])).then(
      (row) => {
        expect(row).toMatchObject({
          transferId: "tr-1",
          status: "completed",
          amount: 12_500n,
          fromName: "Grace Hopper",
          toName: "Ada Lovelace",
          failureCode: null,
          version: 5n,
        });
        expect(row?.steps.map((step) => step.step)).toEqual(["requested", "screened", "reserved", "credited", "completed"]);
        expect(RUNNABLE_STATUSES.has(row?.status ?? "")).toBe(false);
      },
    );
  });

  it("a held transfer says why and waits outside the queue; an in-between one stays in it", () => {
    view(storedOn(TRANSFER, [transferRequested(), transferHeld(["Globex Illicit Trading"])])).then((row) => {
      expect(row).toMatchObject({ status: "held", holdReason: "Payee or reference matches the sanctions list: Globex Illicit Trading" });
      expect(RUNNABLE_STATUSES.has(row?.status ?? "")).toBe(false);
    });
    view(storedOn(TRANSFER, [transferRequested(), transferScreened()])).then((row) => expect(RUNNABLE_STATUSES.has(row?.status ?? "")).toBe(true));
  });

  it("a failure records its code, reason and step; its audit row is marked rejected", () => {
    const events = storedOn(TRANSFER, [
      transferRequested(),
      transferScreened(),
      transferFailed("INSUFFICIENT_FUNDS", "Not enough available money in the source account.", "reserve"),
    ]);
    view(events).then((row) => {
      expect(row).toMatchObject({ status: "failed", failureCode: "INSUFFICIENT_FUNDS", failureStep: "reserve" });
      expect(transferAuditEntry(row as TransferViewRow, events[2] as (typeof events)[number])).toMatchObject({
        eventType: "TransferFailed",
        outcome: "rejected",
      });
    });
  });

  it("events of a transfer whose request it never saw make no row", () => {
    view(storedOn(TRANSFER, [transferScreened()], { firstPosition: 2n })).then((row) => expect(row).toBeUndefined());
  });
});
