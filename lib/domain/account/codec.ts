import { z } from "zod";

import { defineEventCodec } from "../shared/codec";
import { CURRENCY_CODES } from "../shared/currency";
import { FREEZE_CATEGORIES } from "./commands";
import type { AccountEvent } from "./events";
import type { AccountState } from "./state";

const minorUnits = z.union([z.string().regex(/^-?\d+$/), z.number().int()]).transform((value) => BigInt(value));
const text = z.string().nullable();
const counterparty = z.object({ accountId: z.string(), number: z.string(), name: z.string() });

export const accountEventCodec = defineEventCodec<AccountEvent>({
  AccountOpened: {
    version: 1,
    schema: z.object({
      accountId: z.string(),
      customerId: z.string(),
      currency: z.enum(CURRENCY_CODES),
      number: z.string(),
      nickname: text,
    }),
  },
  MoneyDeposited: { version: 1, schema: z.object({ amount: minorUnits, reference: text }) },
  MoneyWithdrawn: { version: 1, schema: z.object({ amount: minorUnits, reference: text }) },
  AccountFrozen: { version: 1, schema: z.object({ category: z.enum(FREEZE_CATEGORIES), reason: z.string() }) },
  AccountUnfrozen: { version: 1, schema: z.object({ reason: z.string() }) },
  AccountClosed: { version: 1, schema: z.object({ reason: z.string() }) },
  DepositRejected: {
    version: 1,
    schema: z.object({ amount: minorUnits, reference: text, code: z.enum(["ACCOUNT_FROZEN", "ACCOUNT_CLOSED"]) }),
  },
  WithdrawalRejected: {
    version: 1,
    schema: z.object({
      amount: minorUnits,
      reference: text,
      code: z.enum(["INSUFFICIENT_FUNDS", "ACCOUNT_FROZEN", "ACCOUNT_CLOSED"]),
      available: minorUnits,
    }),
  },
  FundsReserved: { version: 1, schema: z.object({ transferId: z.string(), amount: minorUnits }) },
  ReservationRejected: {
    version: 1,
    schema: z.object({
      transferId: z.string(),
      amount: minorUnits,
      code: z.enum(["INSUFFICIENT_FUNDS", "ACCOUNT_FROZEN", "ACCOUNT_CLOSED", "CURRENCY_MISMATCH"]),
      available: minorUnits,
    }),
  },
  ReservationReleased: {
    version: 1,
    // `returned` came later as an optional field: older events simply lack it.
    schema: z.object({
      transferId: z.string(),
      amount: minorUnits,
      reason: z.string(),
      returned: z.object({ counterparty, reference: text }).optional(),
    }),
  },
  ReservationCaptured: {
    version: 1,
    schema: z.object({ transferId: z.string(), amount: minorUnits, counterparty, reference: text }),
  },
  TransferCredited: {
    version: 1,
    schema: z.object({ transferId: z.string(), amount: minorUnits, counterparty, reference: text }),
  },
  CreditRejected: {
    version: 1,
    schema: z.object({
      transferId: z.string(),
      amount: minorUnits,
      code: z.enum(["ACCOUNT_FROZEN", "ACCOUNT_CLOSED", "CURRENCY_MISMATCH"]),
      counterparty,
      reference: text,
    }),
  },
  AccountCommandRejected: {
    version: 1,
    schema: z.object({
      command: z.enum(["FreezeAccount", "UnfreezeAccount", "CloseAccount"]),
      code: z.enum(["ALREADY_FROZEN", "NOT_FROZEN", "ACCOUNT_CLOSED", "ACCOUNT_FROZEN", "BALANCE_NOT_ZERO", "FUNDS_RESERVED"]),
      reason: z.string(),
    }),
  },
});

/**
 * Snapshot shape of AccountState. Bump the version whenever AccountState changes shape; snapshots of
 * other versions are then ignored and states rebuilt from events. (2: transfer reservations.)
 */
export const ACCOUNT_STATE_SCHEMA_VERSION = 2;

const openFacts = {
  accountId: z.string(),
  customerId: z.string(),
  currency: z.enum(CURRENCY_CODES),
  number: z.string(),
  nickname: text,
  balance: minorUnits,
  reserved: minorUnits,
  reservations: z.record(z.string(), minorUnits),
  deposits: z.number().int(),
  withdrawals: z.number().int(),
  rejections: z.number().int(),
};

const accountStateSchema: z.ZodType<AccountState> = z.discriminatedUnion("status", [
  z.object({ status: z.literal("Unopened") }),
  z.object({ status: z.literal("Active"), ...openFacts }),
  z.object({
    status: z.literal("Frozen"),
    ...openFacts,
    freeze: z.object({ category: z.enum(FREEZE_CATEGORIES), reason: z.string() }),
  }),
  z.object({ status: z.literal("Closed"), ...openFacts }),
]) as z.ZodType<AccountState>;

export const decodeAccountState = (json: unknown): AccountState => accountStateSchema.parse(json);
