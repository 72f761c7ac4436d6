import "server-only";

import { cancelOrder, createOrder, editOrder, pauseOrder, resumeOrder } from "../commands/orders";
import { setTimeZone, timeZoneOf } from "../commands/profile";
import { database } from "../db";
import { DomainError, ValidationError, type FieldErrors } from "../domain/shared/errors";
import { parseDecimalAmount } from "../domain/shared/money";
import {
  decodeOrderCursor,
  findOrderFor,
  orderPaymentsFor,
  readOrderPage,
  toOrderDto,
  type OrderDto,
  type OrderPaymentDto,
} from "../read-models/orders";
import { findOwnedAccount } from "./accounts";
import { commandContext } from "./context";
import { fieldError, formCommand, FormRefusal, formText, formValues, webMetadata } from "./form";
import { requireUser } from "./session";

export type { OrderDto, OrderPaymentDto } from "../read-models/orders";

export async function listMyOrders(cursor?: string): Promise<{ orders: OrderDto[]; nextCursor: string | null }> {
  const user = await requireUser();
  const { db } = await database();
  const page = await readOrderPage(db, user.id, { limit: 25, before: cursor ? decodeOrderCursor(cursor) : undefined });
  return { orders: page.rows.map(toOrderDto), nextCursor: page.nextCursor };
}

/** An order of the user's with its latest payments; undefined for anyone else's. */
export async function findMyOrder(orderId: string): Promise<{ order: OrderDto; payments: OrderPaymentDto[] } | undefined> {
  const user = await requireUser();
  const { db } = await database();
  const row = await findOrderFor(db, user.id, orderId);
  if (!row) return undefined;
  return { order: toOrderDto(row), payments: await orderPaymentsFor(db, user.id, row.orderId) };
}

/** The user's time zone setting (null until they set one; the browser's is offered then). */
export async function myTimeZone(): Promise<string | null> {
  const user = await requireUser();
  const { db } = await database();
  return timeZoneOf(db, user.id);
}

export type OrderFormValues = {
  fromAccountId: string;
  payeeId: string;
  toAccountNumber: string;
  amount: string;
  reference: string;
  kind: string;
  date: string;
  dayOfMonth: string;
  endDate: string;
  count: string;
  timeZone: string;
};

export type OrderFormState = {
  commandId: string;
  values: OrderFormValues;
  fieldErrors?: Record<string, string[]>;
  message?: string;
};

const FIELDS: (keyof OrderFormValues)[] = [
  "fromAccountId",
  "payeeId",
  "toAccountNumber",
  "amount",
  "reference",
  "kind",
  "date",
  "dayOfMonth",
  "endDate",
  "count",
  "timeZone",
];

/**
 * The order form: checks the account is the user's, parses the decimal amount for its currency
 * and sets the order up under the form's command id (a resent form makes one order). The time
 * zone given becomes the customer's setting when they had none.
 */
export async function submitOrderForm(formData: FormData): Promise<OrderFormState | { orderId: string }> {
  const values = formValues(formData, FIELDS);
  const outcome = await formCommand(formData, {
    commandId: "draw",
    check: "your orders",
    async run({ user, metadata }) {
      const from = await findOwnedAccount(user, values.fromAccountId);
      if (!from) throw fieldError("fromAccountId", "Choose one of your accounts to pay from.");
      const parsed = parseDecimalAmount(values.amount, from.currency);
      if (!parsed.ok) throw fieldError("amount", parsed.message);
      const ctx = await commandContext();
      const { orderId } = await createOrder(
        ctx,
        user,
        {
          fromAccountId: from.accountId,
          payeeId: values.payeeId,
          toAccountNumber: values.payeeId ? "" : values.toAccountNumber,
          amount: parsed.amount,
          reference: values.reference,
          schedule: scheduleFrom(values),
          timeZone: values.timeZone,
        },
        metadata,
      );
      if ((await timeZoneOf(ctx.db, user.id)) === null)
        await setTimeZone(ctx.db, user, { timeZone: values.timeZone }, { ...metadata, commandId: undefined });
      return orderId;
    },
  });
  if (outcome.ok) return { orderId: outcome.value };
  const base = { commandId: outcome.commandId, values };
  return outcome.kind === "invalid" ? { ...base, fieldErrors: formErrors(outcome.fieldErrors) } : { ...base, message: outcome.message };
}

function scheduleFrom(values: Pick<OrderFormValues, "kind" | "date" | "dayOfMonth" | "endDate" | "count">) {
  return values.kind === "once"
    ? { kind: "once", date: values.date }
    : { kind: values.kind, startDate: values.date, dayOfMonth: values.dayOfMonth, endDate: values.endDate, count: values.count };
}

/** The command's schedule.* fields are shown at the form's date fields. */
function formErrors(errors: FieldErrors): Record<string, string[]> {
  const fieldErrors: Record<string, string[]> = {};
  for (const [field, messages] of Object.entries(errors)) {
    const key = field.replace(/^schedule\.(startDate|date)$/, "date").replace(/^schedule\./, "");
    (fieldErrors[key === "schedule" ? "date" : key] ??= []).push(...messages);
  }
  return fieldErrors;
}

export type EditOrderFormState = { values: OrderFormValues; fieldErrors?: Record<string, string[]>; message?: string; saved?: boolean };

/** New amount, reference or dates for an order's payments to come; someone else's order is "not found". */
export async function submitOrderEditForm(formData: FormData): Promise<EditOrderFormState> {
  const values = formValues(formData, FIELDS);
  const outcome = await formCommand(formData, {
    // An edit is not idempotent by a form id: applying the same terms twice changes nothing.
    commandId: "none",
    async run({ user, metadata }) {
      const ctx = await commandContext();
      const order = await findOrderFor(ctx.db, user.id, formText(formData, "orderId"));
      if (!order) throw new FormRefusal("There is no such order of yours.");
      const parsed = parseDecimalAmount(values.amount, order.currency);
      if (!parsed.ok) throw fieldError("amount", parsed.message);
      const input = {
        orderId: order.orderId,
        amount: parsed.amount,
        reference: values.reference,
        schedule: scheduleFrom(values),
        timeZone: values.timeZone,
      };
      await editOrder(ctx, user, input, metadata);
    },
  });
  if (outcome.ok) return { values, saved: true, message: "Saved: the new terms apply from the next payment." };
  return outcome.kind === "invalid" ? { values, fieldErrors: formErrors(outcome.fieldErrors) } : { values, message: outcome.message };
}

/** Sets the signed-in customer's time zone (scheduled dates are read in it). */
export async function setMyTimeZone(formData: FormData): Promise<{ ok: boolean; message?: string }> {
  const user = await requireUser();
  const { db } = await database();
  try {
    await setTimeZone(db, user, { timeZone: formText(formData, "timeZone") }, await webMetadata(user));
    return { ok: true };
  } catch (error) {
    if (error instanceof ValidationError) return { ok: false, message: Object.values(error.fieldErrors).flat().join(" ") };
    throw error;
  }
}

/** Pause, resume or cancel one of the user's orders; someone else's is not found (false). */
export async function changeMyOrder(formData: FormData): Promise<boolean> {
  const user = await requireUser();
  const ctx = await commandContext();
  const input = { orderId: formText(formData, "orderId") };
  const run = { pause: pauseOrder, resume: resumeOrder, cancel: cancelOrder }[formText(formData, "intent")];
  if (!run) return false;
  try {
    await run(ctx, user, input, await webMetadata(user));
    return true;
  } catch (error) {
    if (error instanceof ValidationError || error instanceof DomainError) return false;
    throw error;
  }
}
