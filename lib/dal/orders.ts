import "server-only";
import { randomUUID } from "node:crypto";
import { cancelOrder, createOrder, editOrder, pauseOrder, resumeOrder } from "../commands/orders";
import { setTimeZone, timeZoneOf } from "../commands/profile";
import { database } from "../db";
import type { Currency } from "../domain/shared/currency";
import type { CommandMetadata } from "../domain/shared/decider";
import { DomainError, ValidationError } from "../domain/shared/errors";
import { parseDecimalAmount } from "../domain/shared/money";
import { IdempotencyKeyReusedError } from "../event-store/errors";
import { decodeOrderCursor, findOrderFor, type OrderDto, type OrderPaymentDto, orderPaymentsFor, readOrderPage, toOrderDto } from "../read-models/orders";
import { requestIds } from "../request-context";
import type { SessionUser } from "../auth/users";
import { findOwnedAccount } from "./accounts";
import { commandContext } from "./context";
import { currentUser, requireUser } from "./session";

export type { OrderDto, OrderPaymentDto } from "../read-models/orders";

async function webMetadata(user: SessionUser, commandId?: string): Promise<CommandMetadata> {
  return { now: new Date(), actor: { id: user.id, role: user.role }, commandId, origin: "web", ...(await requestIds()) };
}

const text = (formData: FormData, key: string) => {
  const value = formData.get(key);
  return typeof value === "string" ? value : "";
};

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

const FIELDS: (keyof OrderFormValues)[] = ["fromAccountId", "payeeId", "toAccountNumber", "amount", "reference", "kind", "date", "dayOfMonth", "endDate", "count", "timeZone"];

/**
 * The order form: checks the account is the user's, parses the decimal amount for its currency
 * and sets the order up under the form's command id (a resent form makes one order). The time
 * zone given becomes the customer's setting when they had none.
 */
export async function submitOrderForm(formData: FormData): Promise<OrderFormState | { orderId: string }> {
  const values = Object.fromEntries(FIELDS.map((key) => [key, text(formData, key)])) as OrderFormValues;
  const commandId = /^[0-9a-f-]{36}$/i.test(text(formData, "commandId")) ? text(formData, "commandId") : randomUUID();
  const base = { commandId, values };
  const user = await currentUser();
  if (!user) return { ...base, message: "Your session has ended. Sign in again to continue." };
  const from = await findOwnedAccount(user, values.fromAccountId);
  if (!from) return { ...base, fieldErrors: { fromAccountId: ["Choose one of your accounts to pay from."] } };
  const parsed = parseDecimalAmount(values.amount, from.currency as Currency);
  if (!parsed.ok) return { ...base, fieldErrors: { amount: [parsed.message] } };
  const schedule = scheduleFrom(values);
  const ctx = await commandContext();
  try {
    const metadata = await webMetadata(user, commandId);
    const { orderId } = await createOrder(
      ctx,
      user,
      { fromAccountId: from.accountId, payeeId: values.payeeId, toAccountNumber: values.payeeId ? "" : values.toAccountNumber, amount: parsed.amount, reference: values.reference, schedule, timeZone: values.timeZone },
      metadata,
    );
    if ((await timeZoneOf(ctx.db, user.id)) === null) await setTimeZone(ctx.db, user, { timeZone: values.timeZone }, { ...metadata, commandId: undefined });
    return { orderId };
  } catch (error) {
    if (error instanceof ValidationError) return { ...base, fieldErrors: formErrors(error) };
    if (error instanceof IdempotencyKeyReusedError) return { ...base, commandId: randomUUID(), message: "This form was already sent with other details. Check your orders first." };
    throw error;
  }
}

function scheduleFrom(values: Pick<OrderFormValues, "kind" | "date" | "dayOfMonth" | "endDate" | "count">) {
  return values.kind === "once"
    ? { kind: "once", date: values.date }
    : { kind: values.kind, startDate: values.date, dayOfMonth: values.dayOfMonth, endDate: values.endDate, count: values.count };
}

function formErrors(error: ValidationError): Record<string, string[]> {
  const fieldErrors: Record<string, string[]> = {};
  for (const [field, messages] of Object.entries(error.fieldErrors)) {
    const key = field.replace(/^schedule\.(startDate|date)$/, "date").replace(/^schedule\./, "");
    (fieldErrors[key === "schedule" ? "date" : key] ??= []).push(...messages);
  }
  return fieldErrors;
}

export type EditOrderFormState = { values: OrderFormValues; fieldErrors?: Record<string, string[]>; message?: string; saved?: boolean };

/** New amount, reference or dates for an order's payments to come; someone else's order is "not found". */
export async function submitOrderEditForm(formData: FormData): Promise<EditOrderFormState> {
  const values = Object.fromEntries(FIELDS.map((key) => [key, text(formData, key)])) as OrderFormValues;
  const user = await currentUser();
  if (!user) return { values, message: "Your session has ended. Sign in again to continue." };
  const ctx = await commandContext();
  const order = await findOrderFor(ctx.db, user.id, text(formData, "orderId"));
  if (!order) return { values, message: "There is no such order of yours." };
  const parsed = parseDecimalAmount(values.amount, order.currency as Currency);
  if (!parsed.ok) return { values, fieldErrors: { amount: [parsed.message] } };
  try {
    await editOrder(
      ctx,
      user,
      { orderId: order.orderId, amount: parsed.amount, reference: values.reference, schedule: scheduleFrom(values), timeZone: values.timeZone },
      await webMetadata(user),
    );
    return { values, saved: true, message: "Saved: the new terms apply from the next payment." };
  } catch (error) {
    if (error instanceof ValidationError) return { values, fieldErrors: formErrors(error) };
    if (error instanceof DomainError) return { values, message: error.message };
    throw error;
  }
}

/** Sets the signed-in customer's time zone (scheduled dates are read in it). */
export async function setMyTimeZone(formData: FormData): Promise<{ ok: boolean; message?: string }> {
  const user = await requireUser();
  const { db } = await database();
  try {
    await setTimeZone(db, user, { timeZone: text(formData, "timeZone") }, await webMetadata(user));
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
  const input = { orderId: text(formData, "orderId") };
  const run = { pause: pauseOrder, resume: resumeOrder, cancel: cancelOrder }[text(formData, "intent")];
  if (!run) return false;
  try {
    await run(ctx, user, input, await webMetadata(user));
    return true;
  } catch (error) {
    if (error instanceof ValidationError || error instanceof DomainError) return false;
    throw error;
  }
}
