import { and, eq } from "drizzle-orm";
import { z } from "zod";

import { accountSummary, payees, users, type StandingOrderRow } from "../db/schema";
import { decodeOrderState, ORDER_STATE_SCHEMA_VERSION, orderEventCodec } from "../domain/order/codec";
import { orderDecider, type OrderCommand, type OrderState } from "../domain/order/decider";
import { ORDER_STREAM_TYPE, orderStreamId, type OrderEvent } from "../domain/order/events";
import { daysBetween, isLocalDate, localDateAt, MAX_DAYS_AHEAD, MAX_PAYMENT_COUNT, type Schedule } from "../domain/order/schedule";
import type { CommandMetadata } from "../domain/shared/decider";
import { DomainError, ValidationError } from "../domain/shared/errors";
import { formatMoney } from "../domain/shared/money";
import { handleCommand, hashRequest, type AggregateSpec, type StoredReply } from "../event-store/handle-command";
import { inlineProjection } from "../projections/registry";
import type { CommandContext } from "./accounts";
import { checkDestination } from "./destination";
import { createdId } from "./ids";
import { accountNumberField, isExternalNumber, maskHolderName } from "./payees";
import { timeZoneField } from "./profile";
import { idSchema, minorUnitsSchema, optionalText, parseInput, perLimit } from "./validation";

export const orderAggregate = perLimit((snapshotEvery: number): AggregateSpec<OrderCommand, OrderEvent, OrderState> => ({
  streamType: ORDER_STREAM_TYPE,
  decider: orderDecider,
  codec: orderEventCodec,
  snapshot: { schemaVersion: ORDER_STATE_SCHEMA_VERSION, decode: decodeOrderState, every: snapshotEvery },
  ...inlineProjection(ORDER_STREAM_TYPE),
  lockStream: true,
}));

const localDate = (label: string) =>
  z
    .string({ error: `Enter the ${label}.` })
    .max(10, `Enter the ${label} as YYYY-MM-DD.`)
    .refine(isLocalDate, `Enter the ${label} as a real date (YYYY-MM-DD).`);
const emptyAsUndefined = (value: unknown) => (value === "" || value === null ? undefined : value);

/** The schedule as forms and the API give it; checked against "today" in the order's time zone by `termsOf`. */
export const scheduleInput = z.discriminatedUnion(
  "kind",
  [
    z.object({ kind: z.literal("once"), date: localDate("payment date") }),
    z.object({
      kind: z.literal("weekly"),
      startDate: localDate("first payment date"),
      endDate: z.preprocess(emptyAsUndefined, localDate("end date").optional()),
      count: z.preprocess(
        emptyAsUndefined,
        z.coerce.number().int("The number of payments must be a whole number.").min(1).max(MAX_PAYMENT_COUNT).optional(),
      ),
    }),
    z.object({
      kind: z.literal("monthly"),
      startDate: localDate("first payment date"),
      dayOfMonth: z.coerce
        .number({ error: "Choose the day of the month." })
        .int()
        .min(1, "Choose a day from 1 to 31.")
        .max(31, "Choose a day from 1 to 31."),
      endDate: z.preprocess(emptyAsUndefined, localDate("end date").optional()),
      count: z.preprocess(
        emptyAsUndefined,
        z.coerce.number().int("The number of payments must be a whole number.").min(1).max(MAX_PAYMENT_COUNT).optional(),
      ),
    }),
  ],
  { error: "Choose once, weekly or monthly." },
);

const termsFields = perLimit((maxAmount: bigint) => ({
  amount: minorUnitsSchema(maxAmount),
  reference: optionalText("Reference", 140),
  schedule: scheduleInput,
  timeZone: timeZoneField,
}));

export const orderInputFields = perLimit((maxAmount: bigint) =>
  z.object({
    fromAccountId: idSchema,
    payeeId: z.preprocess(emptyAsUndefined, idSchema.optional()),
    toAccountNumber: z.preprocess(emptyAsUndefined, accountNumberField.optional()),
    ...termsFields(maxAmount),
  }),
);
const createSchema = perLimit((maxAmount: bigint) =>
  orderInputFields(maxAmount).refine((input) => input.payeeId !== undefined || input.toAccountNumber !== undefined, {
    path: ["toAccountNumber"],
    message: "Choose a payee or enter the account number to pay.",
  }),
);
export const editOrderFields = perLimit((maxAmount: bigint) => z.object(termsFields(maxAmount)));

type ScheduleInput = z.output<typeof scheduleInput>;

/** The stored schedule, after the checks that need the time zone: the first date not in the past, nor too far ahead; the end after the start. */
function scheduleOf(input: ScheduleInput, timeZone: string, now: Date): Schedule {
  const today = localDateAt(now.toISOString(), timeZone);
  const start = input.kind === "once" ? input.date : input.startDate;
  const field = input.kind === "once" ? "schedule.date" : "schedule.startDate";
  if (daysBetween(today, start) < 0) throw new ValidationError({ [field]: [`The first payment cannot be before today (${today}).`] });
  if (daysBetween(today, start) > MAX_DAYS_AHEAD) throw new ValidationError({ [field]: ["The first payment can be at most two years ahead."] });
  if (input.kind === "once") return { kind: "once", date: input.date };
  if (input.endDate !== undefined && daysBetween(input.startDate, input.endDate) < 0) {
    throw new ValidationError({ "schedule.endDate": ["The end date must be on or after the first payment date."] });
  }
  const end = { endDate: input.endDate ?? null, count: input.count ?? null };
  return input.kind === "weekly"
    ? { kind: "weekly", startDate: input.startDate, ...end }
    : { kind: "monthly", startDate: input.startDate, dayOfMonth: input.dayOfMonth, ...end };
}

/** Maps the decider's refusals onto the form's fields; anything else goes up as it is. */
function asFieldError(error: unknown): never {
  if (error instanceof DomainError && error.code === "ORDER_SCHEDULE_EMPTY") {
    throw new ValidationError({ schedule: ["This schedule has no payment date from now on; check the dates and the count."] });
  }
  throw error;
}

export type OrderResult = { readonly orderId: string; readonly replayed: boolean; readonly row?: StandingOrderRow; readonly reply?: StoredReply };
export type OrderCommandOptions = { readonly requestHash?: string; readonly reply?: (result: OrderResult) => StoredReply };

const resultOf =
  (orderId: string) =>
  (outcome: { replayed: boolean; projected?: unknown; reply?: StoredReply }): OrderResult => ({
    orderId,
    replayed: outcome.replayed,
    row: outcome.projected as StandingOrderRow | undefined,
    reply: outcome.reply,
  });

/**
 * Sets up a scheduled (once) or standing (weekly, monthly) order from one of the owner's accounts
 * to a saved payee or an account number. The id comes from the command id, so a resent request
 * meets the order it made.
 */
export async function createOrder(
  ctx: CommandContext,
  owner: { id: string },
  input: unknown,
  metadata: CommandMetadata,
  options: OrderCommandOptions = {},
): Promise<OrderResult> {
  const maxAmount = ctx.maxTransferAmount ?? ctx.maxAmount;
  const data = parseInput(createSchema(maxAmount), input);
  const [source] = await ctx.db
    .select()
    .from(accountSummary)
    .where(and(eq(accountSummary.accountId, data.fromAccountId), eq(accountSummary.customerId, owner.id)));
  if (!source) throw new ValidationError({ fromAccountId: ["Choose one of your accounts to pay from."] });
  let payeeId: string | null = null;
  let number = data.toAccountNumber;
  if (data.payeeId !== undefined) {
    const [payee] = await ctx.db
      .select()
      .from(payees)
      .where(and(eq(payees.payeeId, data.payeeId), eq(payees.ownerId, owner.id)));
    if (!payee) throw new ValidationError({ payeeId: ["Choose one of your saved payees."] });
    if (isExternalNumber(payee.accountNumber)) {
      throw new ValidationError({
        payeeId: ["Standing orders pay accounts at Ledgerline only; pay a payee at another bank from the transfer form."],
      });
    }
    payeeId = payee.payeeId;
    number = payee.accountNumber;
  }
  const currency = source.currency;
  const [found] = await ctx.db
    .select({ account: accountSummary, name: users.name })
    .from(accountSummary)
    .leftJoin(users, eq(users.id, accountSummary.customerId))
    .where(eq(accountSummary.number, number ?? ""));
  const destination = checkDestination(source.accountId, currency, found, "Payments stay");
  if (data.amount > maxAmount) throw new ValidationError({ amount: [`The most one payment can move is ${formatMoney(maxAmount, currency)}.`] });
  const schedule = scheduleOf(data.schedule, data.timeZone, metadata.now);
  const orderId = createdId("order", metadata);
  const streamId = orderStreamId(orderId);
  const command: OrderCommand = {
    type: "CreateOrder",
    data: {
      orderId,
      ownerId: owner.id,
      fromAccountId: source.accountId,
      payee: { accountNumber: destination.account.number, name: maskHolderName(destination.name ?? "Ledgerline customer"), payeeId },
      amount: data.amount,
      currency,
      reference: data.reference,
      schedule,
      timeZone: data.timeZone,
      now: metadata.now.toISOString(),
    },
  };
  const requestHash = options.requestHash ?? hashRequest(streamId, { type: "CreateOrder", data });
  const reply = options.reply;
  const outcome = await handleCommand(ctx.db, orderAggregate(ctx.snapshotEvery), streamId, command, {
    metadata: { ...metadata, correlationId: metadata.correlationId ?? orderId },
    idempotency: metadata.commandId ? { scope: metadata.actor.id, key: metadata.commandId, requestHash } : undefined,
    reply: reply ? (first) => reply(resultOf(orderId)(first)) : undefined,
  }).catch(asFieldError);
  return resultOf(orderId)(outcome);
}

/** Runs an owner's command on their order; someone else's order is "not found", like a missing one. */
async function onOwnOrder(
  ctx: CommandContext,
  ownerId: string,
  orderId: string,
  command: OrderCommand,
  metadata: CommandMetadata,
  options: OrderCommandOptions,
) {
  const reply = options.reply;
  const outcome = await handleCommand(ctx.db, orderAggregate(ctx.snapshotEvery), orderStreamId(orderId), command, {
    metadata: { ...metadata, correlationId: metadata.correlationId ?? orderId },
    idempotency: metadata.commandId ? { scope: metadata.actor.id, key: metadata.commandId, requestHash: options.requestHash } : undefined,
    reply: reply ? (first) => reply(resultOf(orderId)(first)) : undefined,
    guard: (state) => {
      if (state.status === "None" || state.ownerId !== ownerId) throw new DomainError("ORDER_NOT_FOUND", "No such order.");
    },
  }).catch(asFieldError);
  return resultOf(orderId)(outcome);
}

const orderIdInput = z.object({ orderId: idSchema });

/** A command on one of the owner's orders that takes nothing but the order's id. */
const onOrderById =
  (command: (metadata: CommandMetadata) => OrderCommand) =>
  (ctx: CommandContext, owner: { id: string }, input: unknown, metadata: CommandMetadata, options: OrderCommandOptions = {}) => {
    const { orderId } = parseInput(orderIdInput, input);
    return onOwnOrder(ctx, owner.id, orderId, command(metadata), metadata, options);
  };

export const pauseOrder = onOrderById(() => ({ type: "PauseOrder", data: {} }));
/** Resumes a paused order: dates that passed while it was paused are skipped. */
export const resumeOrder = onOrderById((metadata) => ({ type: "ResumeOrder", data: { now: metadata.now.toISOString() } }));
export const cancelOrder = onOrderById(() => ({ type: "CancelOrder", data: {} }));

/** New amount, reference or dates for the payments still to come (the payee and account stay). */
export async function editOrder(
  ctx: CommandContext,
  owner: { id: string },
  input: unknown,
  metadata: CommandMetadata,
  options: OrderCommandOptions = {},
) {
  const maxAmount = ctx.maxTransferAmount ?? ctx.maxAmount;
  const { orderId, ...data } = parseInput(editOrderFields(maxAmount).extend({ orderId: idSchema }), input);
  const schedule = scheduleOf(data.schedule, data.timeZone, metadata.now);
  return onOwnOrder(
    ctx,
    owner.id,
    orderId,
    {
      type: "EditOrder",
      data: { amount: data.amount, reference: data.reference, schedule, timeZone: data.timeZone, now: metadata.now.toISOString() },
    },
    metadata,
    options,
  );
}
