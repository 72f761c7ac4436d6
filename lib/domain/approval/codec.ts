import { z } from "zod";

import { defineEventCodec } from "../shared/codec";
import { CURRENCY_CODES } from "../shared/currency";
import { APPROVAL_KINDS, APPROVAL_REFUSAL_CODES, type ApprovalEvent, type ApprovalState } from "./events";

const minorUnits = z.union([z.string().regex(/^-?\d+$/), z.number().int()]).transform((value) => BigInt(value));
const requested = z.object({
  approvalId: z.string(),
  kind: z.enum(APPROVAL_KINDS),
  subjectId: z.string(),
  accountId: z.string(),
  ownerIds: z.array(z.string()),
  amount: minorUnits.nullable(),
  currency: z.enum(CURRENCY_CODES).nullable(),
  description: z.string(),
  round: z.number().int().positive(),
  requestedBy: z.string(),
  reason: z.string(),
});
const decision = z.object({ round: z.number().int().positive(), reason: z.string() });

export const approvalEventCodec = defineEventCodec<ApprovalEvent>({
  ApprovalRequested: { version: 1, schema: requested },
  ApprovalGranted: { version: 1, schema: decision },
  ApprovalDeclined: { version: 1, schema: decision },
  ApprovalRefused: {
    version: 1,
    schema: decision.extend({ decision: z.enum(["approve", "decline"]), code: z.enum(APPROVAL_REFUSAL_CODES) }),
  },
});

export const APPROVAL_STATE_SCHEMA_VERSION = 1;

const stateSchema = z.discriminatedUnion("status", [
  z.object({ status: z.literal("None") }),
  z.object({ status: z.enum(["Pending", "Granted", "Declined"]), request: requested }),
]);

export const decodeApprovalState = (json: unknown): ApprovalState => stateSchema.parse(json) as ApprovalState;
