import type { Currency } from "../shared/currency";
import type { Message } from "../shared/decider";
import { streamIds } from "../shared/stream-id";
import type { Schedule } from "./schedule";

/** Where an order pays: an account by number, with the holder's name as the bank showed it. */
export type OrderPayee = { readonly accountNumber: string; readonly name: string; readonly payeeId: string | null };

export type OrderTerms = {
  readonly amount: bigint;
  readonly currency: Currency;
  readonly reference: string | null;
  readonly schedule: Schedule;
  /** IANA time zone the schedule's dates are read in (the customer's, when the order was set up). */
  readonly timeZone: string;
};

export type OrderCreated = Message<
  "OrderCreated",
  OrderTerms & {
    readonly orderId: string;
    readonly ownerId: string;
    readonly fromAccountId: string;
    readonly payee: OrderPayee;
    /** The first payment: its index in the schedule and its instant. */
    readonly nextIndex: number;
    readonly nextDueAt: string;
  }
>;
/** A due payment became a transfer (its id derived from the order and the due date). */
export type OrderPaymentStarted = Message<
  "OrderPaymentStarted",
  {
    readonly index: number;
    readonly dueAt: string;
    readonly transferId: string;
    readonly nextIndex: number | null;
    readonly nextDueAt: string | null;
  }
>;
/** A due payment could not even be requested (the payee's account is gone, say): recorded, and the order goes on. */
export type OrderPaymentFailed = Message<
  "OrderPaymentFailed",
  { readonly index: number; readonly dueAt: string; readonly reason: string; readonly nextIndex: number | null; readonly nextDueAt: string | null }
>;
export type OrderPaused = Message<"OrderPaused", Record<string, never>>;
/** Payments whose dates passed during the pause are skipped, not made up. */
export type OrderResumed = Message<"OrderResumed", { readonly nextIndex: number | null; readonly nextDueAt: string | null }>;
/** New terms for the payments to come; the schedule starts afresh (its count too). */
export type OrderEdited = Message<"OrderEdited", OrderTerms & { readonly nextIndex: number; readonly nextDueAt: string }>;
export type OrderCancelled = Message<"OrderCancelled", Record<string, never>>;

export type OrderEvent = OrderCreated | OrderPaymentStarted | OrderPaymentFailed | OrderPaused | OrderResumed | OrderEdited | OrderCancelled;

export const ORDER_STREAM_TYPE = "order";
export const orderStreams = streamIds(ORDER_STREAM_TYPE);
export const orderStreamId = orderStreams.of;
