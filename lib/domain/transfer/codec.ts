import { z } from "zod";

import { defineEventCodec } from "../shared/codec";
import { CURRENCY_CODES } from "../shared/currency";
import type { TransferEvent } from "./events";
import type { TransferState } from "./state";

const minorUnits = z.union([z.string().regex(/^-?\d+$/), z.number().int()]).transform((value) => BigInt(value));
const party = z.object({ accountId: z.string(), number: z.string(), customerId: z.string(), name: z.string() });
const failureCode = z.enum([
  "INSUFFICIENT_FUNDS",
  "ACCOUNT_FROZEN",
  "ACCOUNT_CLOSED",
  "CURRENCY_MISMATCH",
  "DESTINATION_FROZEN",
  "DESTINATION_CLOSED",
  "REJECTED_IN_REVIEW",
  "RETURNED_BY_SCHEME",
]);
const step = z.enum(["screening", "reserve", "credit", "capture", "scheme"]);
const requested = {
  transferId: z.string(),
  from: party,
  to: party,
  amount: minorUnits,
  currency: z.enum(CURRENCY_CODES),
  reference: z.string().nullable(),
  // Added with payments to other banks; older events lack it (an internal transfer).
  external: z.boolean().optional(),
};

export const transferEventCodec = defineEventCodec<TransferEvent>({
  TransferRequested: { version: 1, schema: z.object(requested) },
  TransferScreened: { version: 1, schema: z.object({ checkedEntries: z.number().int() }) },
  TransferHeld: { version: 1, schema: z.object({ reason: z.string(), matches: z.array(z.string()) }) },
  TransferReleased: { version: 1, schema: z.object({ reason: z.string() }) },
  SourceDebitReserved: { version: 1, schema: z.object({ amount: minorUnits }) },
  DestinationCredited: { version: 1, schema: z.object({ amount: minorUnits }) },
  DestinationCreditRefused: { version: 1, schema: z.object({ code: failureCode, reason: z.string() }) },
  SentToScheme: { version: 1, schema: z.object({}) },
  SchemeSettled: { version: 1, schema: z.object({ schemeReference: z.string().nullable() }) },
  SchemeReturned: { version: 1, schema: z.object({ code: failureCode, reason: z.string() }) },
  TransferCompleted: { version: 1, schema: z.object({ amount: minorUnits }) },
  TransferFailed: { version: 1, schema: z.object({ code: failureCode, reason: z.string(), step }) },
});

// 2: external payments (the Sent status, the settled flag).
export const TRANSFER_STATE_SCHEMA_VERSION = 2;

const failure = z.object({ code: failureCode, reason: z.string(), step });
const transferStateSchema = z.discriminatedUnion("status", [
  z.object({ status: z.literal("None") }),
  z.object({ status: z.literal("Requested"), ...requested }),
  z.object({ status: z.literal("Held"), ...requested, hold: z.object({ reason: z.string(), matches: z.array(z.string()) }) }),
  z.object({ status: z.literal("Screened"), ...requested }),
  z.object({ status: z.literal("Reserved"), ...requested }),
  z.object({ status: z.literal("Sent"), ...requested }),
  z.object({ status: z.literal("Credited"), ...requested, settled: z.boolean().optional() }),
  z.object({ status: z.literal("Releasing"), ...requested, failure }),
  z.object({ status: z.literal("Completed"), ...requested, settled: z.boolean().optional() }),
  z.object({ status: z.literal("Failed"), ...requested, failure }),
]);

export const decodeTransferState = (json: unknown): TransferState => transferStateSchema.parse(json) as TransferState;
