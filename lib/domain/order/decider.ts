import type { Decider, Message } from "../shared/decider";
import { assertNever, DomainError } from "../shared/errors";
import type { OrderCreated, OrderEvent, OrderPayee, OrderTerms } from "./events";
import { compareInstants, followingOccurrence, nextOccurrence } from "./schedule";

export type OrderStatus = "Active" | "Paused" | "Cancelled" | "Finished";

export type OrderState =
  | { readonly status: "None" }
  | (OrderTerms & {
      readonly status: OrderStatus;
      readonly orderId: string;
      readonly ownerId: string;
      readonly fromAccountId: string;
      readonly payee: OrderPayee;
      /** The next payment's index in the schedule and instant; null once the schedule has ended. */
      readonly nextIndex: number | null;
      readonly nextDueAt: string | null;
      readonly paymentsStarted: number;
      readonly paymentsFailed: number;
    });

export type CreateOrder = Message<"CreateOrder", Omit<OrderCreated["data"], "nextIndex" | "nextDueAt"> & { readonly now: string }>;
/** Make the payment due at `dueAt` (a runner saw it due): once, whoever asks and however often. */
export type StartDuePayment = Message<"StartDuePayment", { readonly dueAt: string; readonly transferId: string; readonly now: string }>;
export type FailDuePayment = Message<"FailDuePayment", { readonly dueAt: string; readonly reason: string; readonly now: string }>;
export type PauseOrder = Message<"PauseOrder", Record<string, never>>;
export type ResumeOrder = Message<"ResumeOrder", { readonly now: string }>;
/** New terms for the payments to come; the currency stays the account's. */
export type EditOrder = Message<"EditOrder", Omit<OrderTerms, "currency"> & { readonly now: string }>;
export type CancelOrder = Message<"CancelOrder", Record<string, never>>;

export type OrderCommand = CreateOrder | StartDuePayment | FailDuePayment | PauseOrder | ResumeOrder | EditOrder | CancelOrder;

/** The first payment of `terms` due after `now`, or a refusal: an order must pay at least once. */
function firstPayment(terms: OrderTerms, now: string): { index: number; dueAt: string } {
  const next = nextOccurrence(terms.schedule, terms.timeZone, 0, now);
  if (!next) throw new DomainError("ORDER_SCHEDULE_EMPTY", "This schedule has no payment date in the future.");
  return next;
}

export function decideOrder(command: OrderCommand, state: OrderState): OrderEvent[] {
  if (command.type === "CreateOrder") {
    if (state.status !== "None") throw new DomainError("ORDER_ALREADY_EXISTS", "This order already exists.");
    const { now, ...data } = command.data;
    const first = firstPayment(data, now);
    return [{ type: "OrderCreated", data: { ...data, nextIndex: first.index, nextDueAt: first.dueAt } }];
  }
  if (state.status === "None") throw new DomainError("ORDER_NOT_FOUND", "No such order.");
  switch (command.type) {
    case "StartDuePayment":
    case "FailDuePayment": {
      // Another runner got there first, the order was paused or edited meanwhile, or the date is
      // not here yet: nothing to do, and nothing to tell (the runner just moves on).
      if (state.status !== "Active" || state.nextDueAt === null || state.nextIndex === null) return [];
      if (compareInstants(state.nextDueAt, command.data.dueAt) !== 0) return [];
      if (compareInstants(command.data.dueAt, command.data.now) > 0) return [];
      const following = followingOccurrence(state.schedule, state.timeZone, state.nextIndex);
      const after = { index: state.nextIndex, dueAt: state.nextDueAt, nextIndex: following?.index ?? null, nextDueAt: following?.dueAt ?? null };
      return command.type === "StartDuePayment"
        ? [{ type: "OrderPaymentStarted", data: { ...after, transferId: command.data.transferId } }]
        : [{ type: "OrderPaymentFailed", data: { ...after, reason: command.data.reason } }];
    }
    case "PauseOrder":
      if (state.status === "Paused") return [];
      assertOpen(state.status);
      return [{ type: "OrderPaused", data: {} }];
    case "ResumeOrder": {
      if (state.status === "Active") return [];
      assertOpen(state.status);
      const next = state.nextIndex === null ? null : nextOccurrence(state.schedule, state.timeZone, state.nextIndex, command.data.now);
      return [{ type: "OrderResumed", data: { nextIndex: next?.index ?? null, nextDueAt: next?.dueAt ?? null } }];
    }
    case "EditOrder": {
      assertOpen(state.status);
      const { now, ...edited } = command.data;
      const terms: OrderTerms = { ...edited, currency: state.currency };
      const first = firstPayment(terms, now);
      return [{ type: "OrderEdited", data: { ...terms, nextIndex: first.index, nextDueAt: first.dueAt } }];
    }
    case "CancelOrder":
      if (state.status === "Cancelled") return [];
      assertOpen(state.status);
      return [{ type: "OrderCancelled", data: {} }];
    default:
      return assertNever(command);
  }
}

function assertOpen(status: OrderStatus): void {
  if (status === "Cancelled" || status === "Finished") {
    throw new DomainError("ORDER_ENDED", status === "Cancelled" ? "This order was cancelled." : "This order has made its last payment.");
  }
}

export function evolveOrder(state: OrderState, event: OrderEvent): OrderState {
  if (event.type === "OrderCreated") {
    return { status: "Active", ...event.data, paymentsStarted: 0, paymentsFailed: 0 };
  }
  if (state.status === "None") return state;
  switch (event.type) {
    case "OrderPaymentStarted":
    case "OrderPaymentFailed": {
      const counts =
        event.type === "OrderPaymentStarted" ? { paymentsStarted: state.paymentsStarted + 1 } : { paymentsFailed: state.paymentsFailed + 1 };
      return {
        ...state,
        ...counts,
        nextIndex: event.data.nextIndex,
        nextDueAt: event.data.nextDueAt,
        status: event.data.nextDueAt === null ? "Finished" : state.status,
      };
    }
    case "OrderPaused":
      return { ...state, status: "Paused" };
    case "OrderResumed":
      return {
        ...state,
        nextIndex: event.data.nextIndex,
        nextDueAt: event.data.nextDueAt,
        status: event.data.nextDueAt === null ? "Finished" : "Active",
      };
    case "OrderEdited": {
      const { nextIndex, nextDueAt, ...terms } = event.data;
      return { ...state, ...terms, nextIndex, nextDueAt };
    }
    case "OrderCancelled":
      return { ...state, status: "Cancelled" };
    default:
      return assertNever(event);
  }
}

export const initialOrderState = (): OrderState => ({ status: "None" });

export const orderDecider: Decider<OrderCommand, OrderEvent, OrderState> = {
  decide: decideOrder,
  evolve: evolveOrder,
  initialState: initialOrderState,
};
