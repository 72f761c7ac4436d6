import { describe, expect, it } from "vitest";

import type { AccountEvent } from "@/lib/domain/account/events";
import { accountStateAt, stateFigures, type PositionedAccountEvent } from "@/lib/projections/time-travel";

import { accountFrozen, accountOpened, accountUnfrozen, moneyDeposited, moneyWithdrawn } from "./support/account-fixtures";

const start = Date.parse("2026-03-01T09:00:00Z");
const history: AccountEvent[] = [
  accountOpened(), // 1
  moneyDeposited(10_000n, "salary"), // 2: 100.00
  { type: "FundsReserved", data: { transferId: "t-1", amount: 2_500n } }, // 3: 25.00 held
  moneyWithdrawn(3_050n, "rent"), // 4: 69.50, 25.00 held
  accountFrozen(), // 5
  { type: "DepositRejected", data: { amount: 500n, reference: null, code: "ACCOUNT_FROZEN" } }, // 6
  accountUnfrozen(), // 7
  {
    type: "ReservationCaptured",
    data: { transferId: "t-1", amount: 2_500n, counterparty: { accountId: "a-2", number: "LL00", name: "Bo" }, reference: null },
  }, // 8: 44.50
];
/** One event an hour, from 09:00. */
const positioned: PositionedAccountEvent[] = history.map((event, index) => ({
  streamPosition: BigInt(index + 1),
  recordedAt: new Date(start + index * 3_600_000),
  event,
}));

const figuresAt = (target: Parameters<typeof accountStateAt>[1]) => {
  const { state, position } = accountStateAt(positioned, target);
  return { position, figures: stateFigures(state) };
};

describe("time travel: an account's state replayed to a point in its history", () => {
  it("before the first event there is no account", () => {
    expect(figuresAt({ position: 0n })).toEqual({ position: 0n, figures: undefined });
    expect(figuresAt({ at: new Date(start - 1) })).toEqual({ position: 0n, figures: undefined });
  });

  it("at each position, the balance, hold and status are those after that event", () => {
    expect(figuresAt({ position: 2n }).figures).toMatchObject({ status: "Active", balance: 10_000n, reserved: 0n, available: 10_000n });
    expect(figuresAt({ position: 4n }).figures).toMatchObject({ status: "Active", balance: 6_950n, reserved: 2_500n, available: 4_450n });
    expect(figuresAt({ position: 6n }).figures).toMatchObject({
      status: "Frozen",
      balance: 6_950n,
      freeze: { category: "suspected_fraud", reason: "card reported stolen" },
      rejections: 1,
    });
    expect(figuresAt({ position: 8n }).figures).toMatchObject({ status: "Active", balance: 4_450n, reserved: 0n, available: 4_450n, freeze: null });
  });

  it("a position past the end is the current state", () => {
    expect(figuresAt({ position: 99n })).toEqual(figuresAt({ position: 8n }));
  });

  it("an instant lands on the last event recorded at or before it", () => {
    // 11:30 is after event 3 (11:00) and before event 4 (12:00).
    const between = figuresAt({ at: new Date(start + 2.5 * 3_600_000) });
    expect(between.position).toBe(3n);
    expect(between.figures).toMatchObject({ balance: 10_000n, reserved: 2_500n, available: 7_500n });
    // Exactly at an event's time includes it.
    expect(figuresAt({ at: new Date(start + 3 * 3_600_000) }).position).toBe(4n);
  });
});
