import { z } from "zod";

import { defineEventCodec } from "../shared/codec";
import { CURRENCY_CODES } from "../shared/currency";
import type { InboundPaymentEvent, InboundPaymentState } from "./events";

const minorUnits = z.union([z.string().regex(/^-?\d+$/), z.number().int()]).transform((value) => BigInt(value));
const returnCode = z.enum(["ACCOUNT_UNKNOWN", "ACCOUNT_FROZEN", "ACCOUNT_CLOSED", "CURRENCY_MISMATCH", "REJECTED_IN_REVIEW"]);
const received = {
  paymentId: z.string(),
  schemeId: z.string(),
  schemePaymentId: z.string(),
  accountNumber: z.string(),
  accountId: z.string().nullable(),
  customerId: z.string().nullable(),
  amount: minorUnits,
  currency: z.enum(CURRENCY_CODES),
  debtor: z.object({ name: z.string(), account: z.string() }),
  reference: z.string().nullable(),
};

export const inboundPaymentEventCodec = defineEventCodec<InboundPaymentEvent>({
  InboundPaymentReceived: { version: 1, schema: z.object(received) },
  InboundPaymentHeld: { version: 1, schema: z.object({ reason: z.string(), matches: z.array(z.string()) }) },
  InboundPaymentReleased: { version: 1, schema: z.object({ reason: z.string() }) },
  InboundPaymentCredited: { version: 1, schema: z.object({ amount: minorUnits }) },
  InboundPaymentReturned: { version: 1, schema: z.object({ code: returnCode, reason: z.string() }) },
});

export const INBOUND_PAYMENT_STATE_SCHEMA_VERSION = 1;

const stateSchema = z.discriminatedUnion("status", [
  z.object({ status: z.literal("None") }),
  z.object({ status: z.literal("Pending"), ...received }),
  z.object({ status: z.literal("Held"), ...received, hold: z.object({ reason: z.string(), matches: z.array(z.string()) }) }),
  z.object({ status: z.literal("Credited"), ...received }),
  z.object({ status: z.literal("Returned"), ...received, returned: z.object({ code: returnCode, reason: z.string() }) }),
]);

export const decodeInboundPaymentState = (json: unknown): InboundPaymentState => stateSchema.parse(json) as InboundPaymentState;
