import { electronicFormatIBAN } from "ibantools";
import { describe, expect, it } from "vitest";

import { decideAccount, evolveAccount, initialAccountState } from "@/lib/domain/account/decider";
import type { AccountEvent } from "@/lib/domain/account/events";
import type { TransferCommand } from "@/lib/domain/transfer/commands";
import { FAILURE_REASONS, transferDecider } from "@/lib/domain/transfer/decider";
import type { TransferEvent, TransferParty } from "@/lib/domain/transfer/events";
import { nextStep } from "@/lib/domain/transfer/process";
import { isTerminal } from "@/lib/domain/transfer/state";

import { deciderSpecification, stateAfter } from "./support/decider-spec";
import { payer, requestData } from "./support/transfer-fixtures";

// A payment from Grace's account to an account at another bank, named by IBAN.
const iban = electronicFormatIBAN("DE89 3704 0044 0532 0130 00") as string;
const creditor: TransferParty = { accountId: "", number: iban, customerId: "", name: "Erika Mustermann" };
const data = { ...requestData, to: creditor, external: true };
const given = deciderSpecification(transferDecider);
const stepAfter = (events: readonly TransferEvent[]) => nextStep(stateAfter(transferDecider, events));

const requested: TransferEvent[] = [{ type: "TransferRequested", data }];
const reserved: TransferEvent[] = [
  ...requested,
  { type: "TransferScreened", data: { checkedEntries: 0 } },
  { type: "SourceDebitReserved", data: { amount: 12_500n } },
];
const sent: TransferEvent[] = [...reserved, { type: "SentToScheme", data: {} }];
const settled: TransferEvent[] = [...sent, { type: "SchemeSettled", data: { schemeReference: "E2E-1" } }];
const completed: TransferEvent[] = [...settled, { type: "TransferCompleted", data: { amount: 12_500n } }];
const returnReason = `${FAILURE_REASONS.RETURNED_BY_SCHEME} AC04 account closed`;
const returned: TransferEvent[] = [...sent, { type: "SchemeReturned", data: { code: "RETURNED_BY_SCHEME", reason: returnReason } }];
const failed: TransferEvent[] = [...returned, { type: "TransferFailed", data: { code: "RETURNED_BY_SCHEME", reason: returnReason, step: "scheme" } }];

const settle: TransferCommand = { type: "SettleAtScheme", data: { schemeReference: "E2E-1" } };
const giveBack: TransferCommand = { type: "ReturnAtScheme", data: { reason: "AC04 account closed" } };
const payeeOnStatement = { accountId: "", number: iban, name: "Erika Mustermann" };

describe("payments to another bank: reserve, send to the scheme, settle or return", () => {
  it("once reserved, the next step is Submit (no credit leg here), and recording it sends the payment to the scheme", () => {
    expect(stepAfter(reserved)).toEqual({ type: "Submit" });
    given(reserved)
      .when({ type: "RecordSubmission", data: {} })
      .then([{ type: "SentToScheme", data: {} }]);
  });

  it("a sent payment waits for the scheme: no runner step", () => {
    expect(stepAfter(sent)).toBeNull();
    expect(isTerminal(stateAfter(transferDecider, sent))).toBe(false);
  });

  it("settled: the next step captures the reservation with the IBAN as counterparty, then completes", () => {
    given(sent)
      .when(settle)
      .then([{ type: "SchemeSettled", data: { schemeReference: "E2E-1" } }]);
    expect(stepAfter(settled)).toEqual({
      type: "Capture",
      accountId: payer.accountId,
      command: { type: "CaptureReservation", data: { transferId: "tr-1", counterparty: payeeOnStatement, reference: "invoice 7" } },
    });
    given(settled)
      .when({ type: "RecordCapture", data: {} })
      .then([{ type: "TransferCompleted", data: { amount: 12_500n } }]);
  });

  it("the scheme's retried settle records nothing, before or after the capture", () => {
    given(settled).when(settle).then([]);
    given(completed).when(settle).then([]);
  });

  it("returned: the next step releases the reservation, saying it came back, then the payment fails with the scheme's reason", () => {
    given(sent)
      .when(giveBack)
      .then([{ type: "SchemeReturned", data: { code: "RETURNED_BY_SCHEME", reason: returnReason } }]);
    expect(stepAfter(returned)).toEqual({
      type: "Release",
      accountId: payer.accountId,
      command: {
        type: "ReleaseReservation",
        data: { transferId: "tr-1", reason: returnReason, returned: { counterparty: payeeOnStatement, reference: "invoice 7" } },
      },
    });
    given(returned)
      .when({ type: "RecordRelease", data: {} })
      .then([{ type: "TransferFailed", data: { code: "RETURNED_BY_SCHEME", reason: returnReason, step: "scheme" } }]);
    given(failed).when(giveBack).then([]);
  });

  it("the contrary answer is refused: a settled payment cannot be returned, nor a returned one settled", () => {
    given(settled).when(giveBack).thenThrows("OUTBOUND_PAYMENT_ANSWERED");
    given(completed).when(giveBack).thenThrows("OUTBOUND_PAYMENT_ANSWERED");
    given(returned).when(settle).thenThrows("OUTBOUND_PAYMENT_ANSWERED");
    given(failed).when(settle).thenThrows("OUTBOUND_PAYMENT_ANSWERED");
  });

  it("the scheme cannot answer a payment before it was sent, nor an internal transfer", () => {
    given(requested).when(settle).thenThrows("OUTBOUND_PAYMENT_NOT_SENT");
    given(reserved).when(giveBack).thenThrows("OUTBOUND_PAYMENT_NOT_SENT");
    const internal: TransferEvent[] = [{ type: "TransferRequested", data: requestData }];
    given(internal).when(settle).thenThrows("OUTBOUND_PAYMENT_NOT_FOUND");
  });

  it("an internal transfer is never submitted, even when asked", () => {
    const internalReserved: TransferEvent[] = [
      { type: "TransferRequested", data: requestData },
      { type: "TransferScreened", data: { checkedEntries: 0 } },
      { type: "SourceDebitReserved", data: { amount: 12_500n } },
    ];
    expect(stepAfter(internalReserved)?.type).toBe("Credit");
    given(internalReserved).when({ type: "RecordSubmission", data: {} }).then([]);
  });

  it("on the account, a returned release gives the money back once and carries what the statement shows", () => {
    let account = initialAccountState();
    const apply = (events: AccountEvent[]) => {
      account = events.reduce(evolveAccount, account);
      return events;
    };
    apply([
      { type: "AccountOpened", data: { accountId: "acc-src", customerId: "cust-grace", currency: "EUR", number: payer.number, nickname: null } },
    ]);
    apply([{ type: "MoneyDeposited", data: { amount: 20_000n, reference: null } }]);
    apply(decideAccount({ type: "ReserveFunds", data: { transferId: "tr-1", amount: 12_500n, currency: "EUR" } }, account));
    const release = stepAfter(returned);
    if (release?.type !== "Release") throw new Error("expected a release");
    const events = apply(decideAccount(release.command, account));
    expect(events).toEqual([
      {
        type: "ReservationReleased",
        data: { transferId: "tr-1", amount: 12_500n, reason: returnReason, returned: { counterparty: payeeOnStatement, reference: "invoice 7" } },
      },
    ]);
    expect(decideAccount(release.command, account)).toEqual([]);
    if (account.status === "Unopened") throw new Error("opened");
    expect(account.balance - account.reserved).toBe(20_000n);
  });
});
