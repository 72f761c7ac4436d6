import { describe, expect, it } from "vitest";

import { inboundPaymentDecider, RETURN_REASONS } from "@/lib/domain/inbound-payment/decider";
import type { InboundPaymentEvent, InboundReceived, ReceiveInboundPayment } from "@/lib/domain/inbound-payment/events";

import { deciderSpecification, stateAfter } from "./support/decider-spec";

const given = deciderSpecification(inboundPaymentDecider);

const payment: InboundReceived = {
  paymentId: "p-1",
  schemeId: "scheme-1",
  schemePaymentId: "SCH-0001",
  accountNumber: "LL1234567890",
  accountId: "acc-1",
  customerId: "cust-1",
  amount: 12_500n,
  currency: "EUR",
  debtor: { name: "Outside Sender", account: "DE89370400440532013000" },
  reference: "Invoice 42",
};
const receive = (overrides: Partial<ReceiveInboundPayment["data"]> = {}): ReceiveInboundPayment => ({
  type: "ReceiveInboundPayment",
  data: { ...payment, accountProblem: null, sanctionsMatches: [], ...overrides },
});
const received: InboundPaymentEvent = { type: "InboundPaymentReceived", data: payment };
const held: InboundPaymentEvent = {
  type: "InboundPaymentHeld",
  data: { reason: "Debtor or reference matches the sanctions list: Outside Sender", matches: ["Outside Sender"] },
};

describe("inbound payment decider", () => {
  it("given nothing, when a clean payment arrives for a known account, then it is received and waits for its credit", () => {
    given([]).when(receive()).then([received]);
    expect(stateAfter(inboundPaymentDecider, [received]).status).toBe("Pending");
  });

  it("given nothing, when the account number is unknown, then it is received and returned at once", () => {
    const unknown = { ...payment, accountId: null, customerId: null };
    given([])
      .when(receive({ accountId: null, customerId: null, accountProblem: "ACCOUNT_UNKNOWN" }))
      .then([
        { type: "InboundPaymentReceived", data: unknown },
        { type: "InboundPaymentReturned", data: { code: "ACCOUNT_UNKNOWN", reason: RETURN_REASONS.ACCOUNT_UNKNOWN } },
      ]);
  });

  it("given nothing, when the debtor matches the sanctions list, then it is held for an admin", () => {
    given([])
      .when(receive({ sanctionsMatches: ["Outside Sender"] }))
      .then([received, held]);
  });

  it("given a received payment, when the scheme sends the same payment id again, then nothing new happens", () => {
    given([received]).when(receive()).then([]);
    given([received, { type: "InboundPaymentCredited", data: { amount: 12_500n } }])
      .when(receive())
      .then([]);
  });

  it("given a received payment, when the same scheme id comes with another amount, then it is refused", () => {
    given([received])
      .when(receive({ amount: 99n }))
      .thenThrows("SCHEME_PAYMENT_ID_REUSED");
  });

  it("given a pending payment, when the credit leg credited the account, then it is credited, once", () => {
    given([received])
      .when({ type: "RecordInboundCredit", data: { outcome: "credited" } })
      .then([{ type: "InboundPaymentCredited", data: { amount: 12_500n } }]);
    given([received, { type: "InboundPaymentCredited", data: { amount: 12_500n } }])
      .when({ type: "RecordInboundCredit", data: { outcome: "credited" } })
      .then([]);
  });

  it("given a pending payment, when the account refused the credit (frozen or closed), then it is returned to the scheme", () => {
    given([received])
      .when({ type: "RecordInboundCredit", data: { outcome: "rejected", code: "ACCOUNT_FROZEN" } })
      .then([{ type: "InboundPaymentReturned", data: { code: "ACCOUNT_FROZEN", reason: RETURN_REASONS.ACCOUNT_FROZEN } }]);
    given([received])
      .when({ type: "RecordInboundCredit", data: { outcome: "rejected", code: "ACCOUNT_CLOSED" } })
      .then([{ type: "InboundPaymentReturned", data: { code: "ACCOUNT_CLOSED", reason: RETURN_REASONS.ACCOUNT_CLOSED } }]);
  });

  it("given a held payment, when an admin releases it, then it waits for its credit again", () => {
    given([received, held])
      .when({ type: "ReleaseInboundPayment", data: { reason: "false positive" } })
      .then([{ type: "InboundPaymentReleased", data: { reason: "false positive" } }]);
    expect(stateAfter(inboundPaymentDecider, [received, held, { type: "InboundPaymentReleased", data: { reason: "ok" } }]).status).toBe("Pending");
  });

  it("given a held payment, when an admin returns it, then it goes back to the scheme", () => {
    given([received, held])
      .when({ type: "ReturnInboundPayment", data: { reason: "confirmed match" } })
      .then([{ type: "InboundPaymentReturned", data: { code: "REJECTED_IN_REVIEW", reason: "confirmed match" } }]);
  });

  it("given a held payment, when the credit is recorded before a review, then nothing is credited", () => {
    given([received, held])
      .when({ type: "RecordInboundCredit", data: { outcome: "credited" } })
      .then([]);
  });

  it("given a payment that is not held, when an admin releases or returns it, then it is refused", () => {
    given([received])
      .when({ type: "ReleaseInboundPayment", data: { reason: "x" } })
      .thenThrows("INBOUND_PAYMENT_NOT_HELD");
    given([received])
      .when({ type: "ReturnInboundPayment", data: { reason: "x" } })
      .thenThrows("INBOUND_PAYMENT_NOT_HELD");
    given([])
      .when({ type: "ReleaseInboundPayment", data: { reason: "x" } })
      .thenThrows("INBOUND_PAYMENT_NOT_FOUND");
  });
});
