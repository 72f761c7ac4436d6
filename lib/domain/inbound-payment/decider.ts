import type { Decider } from "../shared/decider";
import { assertNever, DomainError } from "../shared/errors";
import type {
  InboundPaymentCommand,
  InboundPaymentEvent,
  InboundPaymentState,
  InboundReceived,
  InboundReturnCode,
  ReceiveInboundPayment,
} from "./events";

/** Plain words for each return, stored with the event and sent back to the scheme. */
export const RETURN_REASONS: Record<InboundReturnCode, string> = {
  ACCOUNT_UNKNOWN: "No account has this number.",
  ACCOUNT_FROZEN: "The account is frozen and cannot receive money.",
  ACCOUNT_CLOSED: "The account is closed.",
  CURRENCY_MISMATCH: "The account holds another currency.",
  REJECTED_IN_REVIEW: "The payment was returned in review.",
};

const sameRequest = (state: InboundReceived, data: InboundReceived) =>
  state.accountNumber === data.accountNumber &&
  state.amount === data.amount &&
  state.currency === data.currency &&
  state.debtor.name === data.debtor.name &&
  state.debtor.account === data.debtor.account &&
  state.reference === data.reference;

function receive({ data }: ReceiveInboundPayment): InboundPaymentEvent[] {
  if (data.amount <= 0n) throw new DomainError("INVARIANT_VIOLATED", "Amounts must be positive.");
  const { accountProblem, sanctionsMatches, ...received } = data;
  const events: InboundPaymentEvent[] = [{ type: "InboundPaymentReceived", data: received }];
  if (accountProblem) {
    events.push({ type: "InboundPaymentReturned", data: { code: accountProblem, reason: RETURN_REASONS[accountProblem] } });
  } else if (sanctionsMatches.length > 0) {
    events.push({
      type: "InboundPaymentHeld",
      data: { reason: `Debtor or reference matches the sanctions list: ${sanctionsMatches.join(", ")}`, matches: [...sanctionsMatches] },
    });
  }
  return events;
}

export function decideInboundPayment(command: InboundPaymentCommand, state: InboundPaymentState): InboundPaymentEvent[] {
  if (command.type === "ReceiveInboundPayment") {
    if (state.status === "None") return receive(command);
    // The scheme sent the same payment again (a retry): nothing new happens, it gets the same answer.
    const { accountProblem: _problem, sanctionsMatches: _matches, ...data } = command.data;
    if (sameRequest(state, data)) return [];
    throw new DomainError("SCHEME_PAYMENT_ID_REUSED", "This scheme payment id was already used for a different payment.");
  }
  if (state.status === "None") throw new DomainError("INBOUND_PAYMENT_NOT_FOUND", "No such inbound payment.");
  switch (command.type) {
    case "ReleaseInboundPayment":
      if (state.status !== "Held") throw new DomainError("INBOUND_PAYMENT_NOT_HELD", "Only a payment held for review can be released or returned.");
      return [{ type: "InboundPaymentReleased", data: { reason: command.data.reason } }];
    case "ReturnInboundPayment":
      if (state.status !== "Held") throw new DomainError("INBOUND_PAYMENT_NOT_HELD", "Only a payment held for review can be released or returned.");
      return [{ type: "InboundPaymentReturned", data: { code: "REJECTED_IN_REVIEW", reason: command.data.reason } }];
    case "RecordInboundCredit":
      // Recorded once: a retried runner finds it done.
      if (state.status !== "Pending") return [];
      if (command.data.outcome === "credited") return [{ type: "InboundPaymentCredited", data: { amount: state.amount } }];
      return [{ type: "InboundPaymentReturned", data: { code: command.data.code, reason: RETURN_REASONS[command.data.code] } }];
    default:
      return assertNever(command);
  }
}

export function evolveInboundPayment(state: InboundPaymentState, event: InboundPaymentEvent): InboundPaymentState {
  if (event.type === "InboundPaymentReceived") return { status: "Pending", ...event.data };
  if (state.status === "None") return state;
  const { status: _status, ...rest } = state;
  const facts: InboundReceived = {
    paymentId: rest.paymentId,
    schemeId: rest.schemeId,
    schemePaymentId: rest.schemePaymentId,
    accountNumber: rest.accountNumber,
    accountId: rest.accountId,
    customerId: rest.customerId,
    amount: rest.amount,
    currency: rest.currency,
    debtor: rest.debtor,
    reference: rest.reference,
  };
  switch (event.type) {
    case "InboundPaymentHeld":
      return { ...facts, status: "Held", hold: { reason: event.data.reason, matches: event.data.matches } };
    case "InboundPaymentReleased":
      return { ...facts, status: "Pending" };
    case "InboundPaymentCredited":
      return { ...facts, status: "Credited" };
    case "InboundPaymentReturned":
      return { ...facts, status: "Returned", returned: { code: event.data.code, reason: event.data.reason } };
    default:
      return assertNever(event);
  }
}

/** Whether the account's credit leg is the next thing to do. */
export const awaitsCredit = (state: InboundPaymentState): state is InboundReceived & { status: "Pending" } => state.status === "Pending";

export const inboundPaymentDecider: Decider<InboundPaymentCommand, InboundPaymentEvent, InboundPaymentState> = {
  decide: decideInboundPayment,
  evolve: evolveInboundPayment,
  initialState: () => ({ status: "None" }),
};
