import { describe, expect, it } from "vitest";
import { z } from "zod";

import { accountEventCodec } from "@/lib/domain/account/codec";
import type { AccountEvent } from "@/lib/domain/account/events";
import { identityEventCodec, type IdentityEvent } from "@/lib/domain/identity/events";
import { operationsEventCodec, type OperationsEvent } from "@/lib/domain/operations/events";
import { sanctionsEventCodec } from "@/lib/domain/sanctions/codec";
import type { SanctionsEvent } from "@/lib/domain/sanctions/sanctions";
import { defineEventCodec, type EventCodec } from "@/lib/domain/shared/codec";
import { transferEventCodec } from "@/lib/domain/transfer/codec";
import type { TransferEvent } from "@/lib/domain/transfer/events";
import { toDate } from "@/lib/event-store/read";
import { timeOf } from "@/lib/projections/replay";

const counterparty = { accountId: "a-2", number: "LL1300000002", name: "Bob" };
const party = { accountId: "a-1", number: "LL1300000001", customerId: "c-1", name: "Ann" };

const accountEvents: AccountEvent[] = [
  { type: "AccountOpened", data: { accountId: "a-1", customerId: "c-1", currency: "EUR", number: "LL1300000001", nickname: null } },
  { type: "MoneyDeposited", data: { amount: 12_345n, reference: "Salary" } },
  { type: "MoneyWithdrawn", data: { amount: 9_007_199_254_740_993n, reference: null } },
  { type: "AccountFrozen", data: { category: "compliance_review", reason: "check" } },
  { type: "AccountUnfrozen", data: { reason: "cleared" } },
  { type: "AccountClosed", data: { reason: "asked" } },
  { type: "DepositRejected", data: { amount: 5n, reference: null, code: "ACCOUNT_FROZEN" } },
  { type: "WithdrawalRejected", data: { amount: 5n, reference: "x", code: "INSUFFICIENT_FUNDS", available: -3n } },
  { type: "FundsReserved", data: { transferId: "t-1", amount: 70n } },
  { type: "ReservationRejected", data: { transferId: "t-1", amount: 70n, code: "CURRENCY_MISMATCH", available: 0n } },
  { type: "ReservationReleased", data: { transferId: "t-1", amount: 70n, reason: "failed" } },
  { type: "ReservationCaptured", data: { transferId: "t-1", amount: 70n, counterparty, reference: "Invoice" } },
  { type: "TransferCredited", data: { transferId: "t-2", amount: 80n, counterparty, reference: null } },
  { type: "CreditRejected", data: { transferId: "t-3", amount: 1n, code: "ACCOUNT_CLOSED", counterparty, reference: null } },
  { type: "AccountCommandRejected", data: { command: "CloseAccount", code: "BALANCE_NOT_ZERO", reason: "no" } },
];
const transferEvents: TransferEvent[] = [
  {
    type: "TransferRequested",
    data: { transferId: "t-1", from: party, to: { ...party, accountId: "a-2" }, amount: 70n, currency: "EUR", reference: null },
  },
  { type: "TransferScreened", data: { checkedEntries: 3 } },
  { type: "TransferHeld", data: { reason: "match", matches: ["e-1"] } },
  { type: "SourceDebitReserved", data: { amount: 70n } },
  { type: "TransferFailed", data: { code: "REJECTED_IN_REVIEW", reason: "no", step: "screening" } },
];
const sanctionsEvents: SanctionsEvent[] = [{ type: "SanctionsEntryAdded", data: { entryId: "e-1", name: "Mallory", reason: "list" } }];
const identityEvents: IdentityEvent[] = [
  { type: "UserRegistered", data: { userId: "u-1", name: "Ann", email: "ann@example.com", role: "customer" } },
  { type: "SignInFailed", data: { email: "ann@example.com", reason: "THROTTLED", ip: null } },
];
const operationsEvents: OperationsEvent[] = [{ type: "ProjectionsRebuilt", data: { events: 3, rows: { audit_log: 3 } } }];

/** Through the store's JSON, as a rebuild reads it back. */
function stored<Event extends { type: string; data: unknown }>(codec: EventCodec<Event>, event: Event) {
  const encoded = codec.encode(event);
  return { type: encoded.type, version: encoded.schemaVersion, data: JSON.parse(JSON.stringify(encoded.data)) as unknown };
}

describe("trusted decoding (what a projection rebuild reads the log with)", () => {
  const cases: [string, EventCodec<{ type: string; data: unknown }>, { type: string; data: unknown }[]][] = [
    ["account", accountEventCodec as never, accountEvents],
    ["transfer", transferEventCodec as never, transferEvents],
    ["sanctions", sanctionsEventCodec as never, sanctionsEvents],
    ["identity", identityEventCodec as never, identityEvents],
    ["operations", operationsEventCodec as never, operationsEvents],
  ];

  it.each(cases)("gives exactly what the validating decode gives, %s events", (_name, codec, events) => {
    for (const event of events) {
      const { type, version, data } = stored(codec, event);
      const trusted = codec.decodeTrusted(type, version, data);
      expect(trusted).toEqual(codec.decode(type, version, data));
      expect(trusted).toEqual(event);
    }
  });

  it("still upcasts old shapes, and turns minor units back into bigints", () => {
    const codec = defineEventCodec<{ type: "Noted"; data: { body: string; amount: bigint } }>({
      Noted: {
        version: 2,
        schema: z.object({ body: z.string(), amount: z.string().transform((value) => BigInt(value)) }),
        upcasters: { 1: (data) => ({ body: (data as { text: string }).text, amount: "7" }) },
      },
    });
    expect(codec.decodeTrusted("Noted", 1, { text: "hello" })).toEqual({ type: "Noted", data: { body: "hello", amount: 7n } });
    expect(() => codec.decodeTrusted("Noted", 3, {})).toThrow(/newer than this code/);
  });

  it("skips validation, but falls back to parsing where the schema does more than transform", () => {
    const codec = defineEventCodec<{ type: "Counted"; data: { count: number; label: string } }>({
      Counted: { version: 1, schema: z.object({ count: z.number().int(), label: z.string().default("none") }) },
    });
    // A default changes valid data, so this type is parsed: the default applies as in decode.
    expect(codec.decodeTrusted("Counted", 1, { count: 2 })).toEqual(codec.decode("Counted", 1, { count: 2 }));
    // Where only checks would run, trusted data is not checked again.
    expect(accountEventCodec.decodeTrusted("AccountUnfrozen", 1, { reason: 42 })).toEqual({ type: "AccountUnfrozen", data: { reason: 42 } });
    expect(() => accountEventCodec.decode("AccountUnfrozen", 1, { reason: 42 })).toThrow();
  });
});

describe("reading a timestamptz as Postgres prints it", () => {
  it.each([
    "2024-12-01 00:01:00.48+00",
    "2024-12-01 00:01:00+00",
    "2026-11-23 18:47:29.123456+00",
    "2026-03-29 02:30:00.5+05:30",
    "2026-03-29 02:30:00.999999-03",
    "1999-12-31 23:59:59.001+00",
  ])("%s is the instant the general reader gives", (text) => {
    expect(timeOf(text).getTime()).toBe(toDate(text).getTime());
  });

  it("passes anything else to the general reader", () => {
    const date = new Date("2026-01-01T00:00:00Z");
    expect(timeOf(date)).toBe(date);
    expect(timeOf("2026-01-01T00:00:00.000Z").toISOString()).toBe("2026-01-01T00:00:00.000Z");
  });
});

describe("codec entries are typed by their event", () => {
  type Sample = { type: "Paid"; data: { amount: bigint; reference: string | null } };
  const amount = z.string().transform((value) => BigInt(value));

  it("takes a schema that parses to the event's data", () => {
    const codec = defineEventCodec<Sample>({ Paid: { version: 1, schema: z.object({ amount, reference: z.string().nullable() }) } });
    expect(codec.decode("Paid", 1, { amount: "5", reference: null })).toEqual({ type: "Paid", data: { amount: 5n, reference: null } });
  });

  it("does not compile a schema that drifted from its event", () => {
    // Each entry below is a compile error (checked by `npm run typecheck`); at run time they decode.
    const drifted = [
      // @ts-expect-error a field the event has is missing
      defineEventCodec<Sample>({ Paid: { version: 1, schema: z.object({ amount }) } }),
      // @ts-expect-error a field of another type (a number where the event has a bigint)
      defineEventCodec<Sample>({ Paid: { version: 1, schema: z.object({ amount: z.number(), reference: z.string().nullable() }) } }),
      // @ts-expect-error an event type without an entry
      defineEventCodec<Sample>({}),
    ];
    expect(drifted).toHaveLength(3);
  });
});
