import fc from "fast-check";
import { describe, expect, it } from "vitest";

import { orderDecider, type OrderCommand } from "@/lib/domain/order/decider";
import type { OrderCreated, OrderEvent } from "@/lib/domain/order/events";
import { compareInstants, dueInstant, occurrenceDate, type Schedule } from "@/lib/domain/order/schedule";

import { deciderSpecification, stateAfter } from "./support/decider-spec";

const given = deciderSpecification(orderDecider);
const schedule: Schedule = { kind: "monthly", startDate: "2025-01-01", dayOfMonth: 31, endDate: null, count: 3 };
const terms = { amount: 2_500n, currency: "EUR" as const, reference: "Rent", schedule, timeZone: "Europe/Berlin" };
const facts = {
  ...terms,
  orderId: "order-1",
  ownerId: "user-1",
  fromAccountId: "account-1",
  payee: { accountNumber: "LL00 0000 0001", name: "P*** Q.", payeeId: null },
};
const created: OrderCreated = { type: "OrderCreated", data: { ...facts, nextIndex: 0, nextDueAt: "2025-01-31T05:00:00Z" } };
const create: OrderCommand = { type: "CreateOrder", data: { ...facts, now: "2024-12-20T12:00:00Z" } };
const started = (index: number, dueAt: string, nextDueAt: string | null, transferId = `t-${index}`): OrderEvent => ({
  type: "OrderPaymentStarted",
  data: { index, dueAt, transferId, nextIndex: nextDueAt === null ? null : index + 1, nextDueAt },
});

describe("order decider", () => {
  it("given nothing, when an order is created, then its first payment is the first date after now", () => {
    given([]).when(create).then([created]);
  });

  it("given nothing, when an order's only date has passed, then it is refused", () => {
    given([])
      .when({ type: "CreateOrder", data: { ...facts, schedule: { kind: "once", date: "2024-12-01" }, now: "2024-12-20T12:00:00Z" } })
      .thenThrows("ORDER_SCHEDULE_EMPTY");
  });

  it("given an order, when it is created again, then it is refused", () => {
    given([created]).when(create).thenThrows("ORDER_ALREADY_EXISTS");
  });

  it("given a due payment, when a runner starts it, then it moves to the next date (end of February)", () => {
    given([created])
      .when({ type: "StartDuePayment", data: { dueAt: "2025-01-31T05:00:00Z", transferId: "t-0", now: "2025-01-31T05:00:01Z" } })
      .then([started(0, "2025-01-31T05:00:00Z", "2025-02-28T05:00:00Z")]);
  });

  it("given a payment already started, when another runner starts the same date, then nothing happens", () => {
    given([created, started(0, "2025-01-31T05:00:00Z", "2025-02-28T05:00:00Z")])
      .when({ type: "StartDuePayment", data: { dueAt: "2025-01-31T05:00:00Z", transferId: "t-0", now: "2025-02-01T00:00:00Z" } })
      .then([]);
  });

  it("given a payment not yet due, when a runner asks early, then nothing happens", () => {
    given([created])
      .when({ type: "StartDuePayment", data: { dueAt: "2025-01-31T05:00:00Z", transferId: "t-0", now: "2025-01-31T04:59:59Z" } })
      .then([]);
  });

  it("given the last of a count, when it is paid, then the order is finished", () => {
    const events = [
      created,
      started(0, "2025-01-31T05:00:00Z", "2025-02-28T05:00:00Z"),
      started(1, "2025-02-28T05:00:00Z", "2025-03-31T04:00:00Z"),
      started(2, "2025-03-31T04:00:00Z", null),
    ];
    expect(stateAfter(orderDecider, events)).toMatchObject({ status: "Finished", nextDueAt: null, paymentsStarted: 3 });
    given(events).when({ type: "PauseOrder", data: {} }).thenThrows("ORDER_ENDED");
  });

  it("given a payment that cannot be requested, when it is recorded as failed, then the order goes on to the next date", () => {
    given([created])
      .when({ type: "FailDuePayment", data: { dueAt: "2025-01-31T05:00:00Z", reason: "No account has that number.", now: "2025-01-31T06:00:00Z" } })
      .then([
        {
          type: "OrderPaymentFailed",
          data: { index: 0, dueAt: "2025-01-31T05:00:00Z", reason: "No account has that number.", nextIndex: 1, nextDueAt: "2025-02-28T05:00:00Z" },
        },
      ]);
  });

  it("given a paused order, when its date comes, then no payment starts; when resumed, the dates passed are skipped", () => {
    const paused = [created, { type: "OrderPaused", data: {} } as OrderEvent];
    given(paused)
      .when({ type: "StartDuePayment", data: { dueAt: "2025-01-31T05:00:00Z", transferId: "t-0", now: "2025-02-01T00:00:00Z" } })
      .then([]);
    given(paused)
      .when({ type: "ResumeOrder", data: { now: "2025-03-01T00:00:00Z" } })
      .then([{ type: "OrderResumed", data: { nextIndex: 2, nextDueAt: "2025-03-31T04:00:00Z" } }]);
    given(paused).when({ type: "PauseOrder", data: {} }).then([]);
  });

  it("given a paused order whose remaining dates all passed, when resumed, then it is finished", () => {
    const paused = [created, { type: "OrderPaused", data: {} } as OrderEvent];
    const events = [...paused, { type: "OrderResumed", data: { nextIndex: null, nextDueAt: null } } as OrderEvent];
    given(paused)
      .when({ type: "ResumeOrder", data: { now: "2025-06-01T00:00:00Z" } })
      .then([events[2] as OrderEvent]);
    expect(stateAfter(orderDecider, events).status).toBe("Finished");
  });

  it("given an order, when it is edited, then the new terms apply from the next date after now", () => {
    const weekly: Schedule = { kind: "weekly", startDate: "2025-01-06", endDate: null, count: null };
    given([created])
      .when({
        type: "EditOrder",
        data: { amount: 900n, reference: "Rent", schedule: weekly, timeZone: "Europe/Berlin", now: "2025-01-10T00:00:00Z" },
      })
      .then([{ type: "OrderEdited", data: { ...terms, amount: 900n, schedule: weekly, nextIndex: 1, nextDueAt: "2025-01-13T05:00:00Z" } }]);
  });

  it("given an order in Berlin, when the customer moves it to Tokyo's time zone, then the next payment is 06:00 in Tokyo", () => {
    given([created])
      .when({ type: "EditOrder", data: { amount: 2_500n, reference: "Rent", schedule, timeZone: "Asia/Tokyo", now: "2025-01-10T00:00:00Z" } })
      .then([{ type: "OrderEdited", data: { ...terms, timeZone: "Asia/Tokyo", nextIndex: 0, nextDueAt: "2025-01-30T21:00:00Z" } }]);
  });

  it("given a cancelled order, when it is cancelled again, then nothing happens; edited, then it is refused", () => {
    const cancelled = [created, { type: "OrderCancelled", data: {} } as OrderEvent];
    given(cancelled).when({ type: "CancelOrder", data: {} }).then([]);
    given(cancelled)
      .when({ type: "EditOrder", data: { amount: 1n, reference: null, schedule, timeZone: "UTC", now: "2025-01-10T00:00:00Z" } })
      .thenThrows("ORDER_ENDED");
    given(cancelled)
      .when({ type: "StartDuePayment", data: { dueAt: "2025-01-31T05:00:00Z", transferId: "t", now: "2025-02-01T00:00:00Z" } })
      .then([]);
  });
});

describe("order payments under random clocks, races and crashes", () => {
  it("each due date yields exactly one transfer, derived from the order and the date", () => {
    const weekly: Schedule = { kind: "weekly", startDate: "2025-03-01", endDate: null, count: 40 };
    const facts2 = { ...facts, schedule: weekly, timeZone: "America/New_York" };
    const dueDates = Array.from({ length: 40 }, (_, index) => dueInstant(occurrenceDate(weekly, index) as string, facts2.timeZone));
    const step = fc.record({
      advanceHours: fc.integer({ min: 0, max: 24 * 20 }),
      runners: fc.integer({ min: 1, max: 3 }),
      // A runner that decided but crashed before its append reached the store.
      crashes: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
    });
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 60 }), (steps) => {
        const log: OrderEvent[] = [
          ...orderDecider.decide({ type: "CreateOrder", data: { ...facts2, now: "2025-02-20T00:00:00Z" } }, orderDecider.initialState()),
        ];
        let clock = Date.parse("2025-02-20T00:00:00Z");
        for (const { advanceHours, runners, crashes } of steps) {
          clock += advanceHours * 3_600_000;
          const now = new Date(clock).toISOString();
          // Each runner works the order until nothing is due: all read the same version, and only
          // the first append of a version wins (expected version); the others re-read and retry.
          for (let round = 0; round < 100; round++) {
            const version = log.length;
            const state = stateAfter(orderDecider, log);
            if (state.status !== "Active" || state.nextDueAt === null || compareInstants(state.nextDueAt, now) > 0) break;
            const decisions = Array.from({ length: runners }, () =>
              orderDecider.decide(
                { type: "StartDuePayment", data: { dueAt: state.nextDueAt as string, transferId: `order-1@${state.nextDueAt}`, now } },
                state,
              ),
            );
            decisions.forEach((events, runner) => {
              if (crashes[runner] && round % 2 === 0) return;
              if (log.length === version) log.push(...events);
            });
          }
        }
        const transfers = log.flatMap((event) => (event.type === "OrderPaymentStarted" ? [event.data] : []));
        const due = dueDates.filter((dueAt) => compareInstants(dueAt, new Date(clock).toISOString()) <= 0);
        expect(transfers.map((payment) => payment.dueAt)).toEqual(due);
        expect(new Set(transfers.map((payment) => payment.transferId)).size).toBe(transfers.length);
        expect(transfers.every((payment) => payment.transferId === `order-1@${payment.dueAt}`)).toBe(true);
      }),
      { numRuns: 150 },
    );
  });
});
