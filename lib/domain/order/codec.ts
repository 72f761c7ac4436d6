import { z } from "zod";

import { defineEventCodec } from "../shared/codec";
import { CURRENCY_CODES } from "../shared/currency";
import type { OrderState } from "./decider";
import type { OrderEvent } from "./events";

const minorUnits = z.union([z.string().regex(/^-?\d+$/), z.number().int()]).transform((value) => BigInt(value));
const schedule = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("once"), date: z.string() }),
  z.object({ kind: z.literal("weekly"), startDate: z.string(), endDate: z.string().nullable(), count: z.number().int().nullable() }),
  z.object({
    kind: z.literal("monthly"),
    startDate: z.string(),
    dayOfMonth: z.number().int(),
    endDate: z.string().nullable(),
    count: z.number().int().nullable(),
  }),
]);
const terms = { amount: minorUnits, currency: z.enum(CURRENCY_CODES), reference: z.string().nullable(), schedule, timeZone: z.string() };
const payee = z.object({ accountNumber: z.string(), name: z.string(), payeeId: z.string().nullable() });
const created = {
  ...terms,
  orderId: z.string(),
  ownerId: z.string(),
  fromAccountId: z.string(),
  payee,
  nextIndex: z.number().int(),
  nextDueAt: z.string(),
};
const moved = { index: z.number().int(), dueAt: z.string(), nextIndex: z.number().int().nullable(), nextDueAt: z.string().nullable() };

export const orderEventCodec = defineEventCodec<OrderEvent>({
  OrderCreated: { version: 1, schema: z.object(created) },
  OrderPaymentStarted: { version: 1, schema: z.object({ ...moved, transferId: z.string() }) },
  OrderPaymentFailed: { version: 1, schema: z.object({ ...moved, reason: z.string() }) },
  OrderPaused: { version: 1, schema: z.object({}) },
  OrderResumed: { version: 1, schema: z.object({ nextIndex: z.number().int().nullable(), nextDueAt: z.string().nullable() }) },
  OrderEdited: { version: 1, schema: z.object({ ...terms, nextIndex: z.number().int(), nextDueAt: z.string() }) },
  OrderCancelled: { version: 1, schema: z.object({}) },
});

export const ORDER_STATE_SCHEMA_VERSION = 1;

const stateSchema = z.union([
  z.object({ status: z.literal("None") }),
  z.object({
    ...created,
    status: z.enum(["Active", "Paused", "Cancelled", "Finished"]),
    nextIndex: z.number().int().nullable(),
    nextDueAt: z.string().nullable(),
    paymentsStarted: z.number().int(),
    paymentsFailed: z.number().int(),
  }),
]);

export const decodeOrderState = (json: unknown): OrderState => stateSchema.parse(json) as OrderState;
