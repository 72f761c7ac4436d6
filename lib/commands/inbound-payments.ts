import { eq } from "drizzle-orm";
import { z } from "zod";

import { accountSummary, sanctionsEntries, type InboundPaymentViewRow } from "../db/schema";
import { normaliseAccountNumber } from "../domain/account/account-number";
import { decodeInboundPaymentState, INBOUND_PAYMENT_STATE_SCHEMA_VERSION, inboundPaymentEventCodec } from "../domain/inbound-payment/codec";
import { inboundPaymentDecider } from "../domain/inbound-payment/decider";
import {
  INBOUND_PAYMENT_STREAM_TYPE,
  inboundPaymentStreamId,
  type InboundPaymentCommand,
  type InboundPaymentEvent,
  type InboundPaymentState,
} from "../domain/inbound-payment/events";
import { screen } from "../domain/sanctions/sanctions";
import { CURRENCY_CODES } from "../domain/shared/currency";
import type { CommandMetadata } from "../domain/shared/decider";
import { handleCommand, hashRequest, type AggregateSpec, type StoredReply } from "../event-store/handle-command";
import { inlineProjection } from "../projections/registry";
import type { CommandContext } from "./accounts";
import { createdId } from "./ids";
import { idSchema, minorUnitsSchema, optionalText, parseInput, perLimit, requiredText } from "./validation";

export const inboundPaymentAggregate = perLimit(
  (snapshotEvery: number): AggregateSpec<InboundPaymentCommand, InboundPaymentEvent, InboundPaymentState> => ({
    streamType: INBOUND_PAYMENT_STREAM_TYPE,
    decider: inboundPaymentDecider,
    codec: inboundPaymentEventCodec,
    snapshot: { schemaVersion: INBOUND_PAYMENT_STATE_SCHEMA_VERSION, decode: decodeInboundPaymentState, every: snapshotEvery },
    ...inlineProjection(INBOUND_PAYMENT_STREAM_TYPE),
    lockStream: true,
  }),
);

/** The scheme's own id of a payment: what makes a resent payment the same payment. */
export const schemePaymentIdSchema = z
  .string({ error: "The scheme's payment id is required." })
  .min(1, "The scheme's payment id is required.")
  .max(64, "The scheme's payment id is at most 64 characters.")
  .regex(/^[A-Za-z0-9._:-]+$/, "The scheme's payment id may hold letters, digits and . _ : - only.");

/** What a scheme sends for a credit to one of our accounts. */
export const inboundPaymentFields = perLimit((maxAmount: bigint) =>
  z.object({
    schemePaymentId: schemePaymentIdSchema,
    accountNumber: requiredText("Account number", 34),
    amount: minorUnitsSchema(maxAmount),
    currency: z.enum(CURRENCY_CODES, { error: `The currency must be one of ${CURRENCY_CODES.join(", ")}.` }),
    debtorName: requiredText("Debtor name", 140),
    debtorAccount: requiredText("Debtor account", 34),
    reference: optionalText("Reference", 140),
  }),
);

export type InboundPaymentResult = {
  readonly paymentId: string;
  readonly replayed: boolean;
  /** The inbound_payments_view row after the command (absent when nothing was written). */
  readonly view?: InboundPaymentViewRow;
  readonly reply?: StoredReply;
};

/** Payment ids derive from the scheme and its payment id: the same payment sent twice is one stream. */
export const inboundPaymentId = (schemeId: string, schemePaymentId: string) =>
  createdId("inbound-payment", { actor: { id: schemeId, role: "scheme" }, commandId: schemePaymentId });

type Options = { requestHash?: string; reply?: (result: InboundPaymentResult) => StoredReply };

function resultOf(paymentId: string) {
  return (outcome: { replayed: boolean; projected?: unknown; reply?: StoredReply }): InboundPaymentResult => {
    const rows = outcome.projected as (InboundPaymentViewRow | undefined)[] | InboundPaymentViewRow | undefined;
    const view = Array.isArray(rows) ? rows.at(-1) : rows;
    return { paymentId, replayed: outcome.replayed, view, reply: outcome.reply };
  };
}

/**
 * Records a credit sent by a scheme (the caller is the scheme: `metadata.actor`), found against our
 * accounts and screened against the sanctions list in the same request: unknown account or another
 * currency is returned at once, a sanctions match is held for an admin, anything else waits for
 * its credit (the process in lib/process-managers/inbound-payments.ts). The same scheme payment id
 * again changes nothing. Throws ValidationError.
 */
export async function receiveInboundPayment(
  ctx: CommandContext,
  input: unknown,
  metadata: CommandMetadata,
  options: Options = {},
): Promise<InboundPaymentResult> {
  const data = parseInput(inboundPaymentFields(ctx.maxTransferAmount ?? ctx.maxAmount), input);
  const schemeId = metadata.actor.id;
  const number = normaliseAccountNumber(data.accountNumber);
  const [account] = number
    ? await ctx.db
        .select({ accountId: accountSummary.accountId, customerId: accountSummary.customerId, currency: accountSummary.currency })
        .from(accountSummary)
        .where(eq(accountSummary.number, number))
    : [];
  const entries = await ctx.db.select({ name: sanctionsEntries.name }).from(sanctionsEntries);
  const paymentId = inboundPaymentId(schemeId, data.schemePaymentId);
  const streamId = inboundPaymentStreamId(paymentId);
  const received = {
    paymentId,
    schemeId,
    schemePaymentId: data.schemePaymentId,
    accountNumber: number ?? data.accountNumber.toUpperCase(),
    accountId: account?.accountId ?? null,
    customerId: account?.customerId ?? null,
    amount: data.amount,
    currency: data.currency,
    debtor: { name: data.debtorName, account: data.debtorAccount },
    reference: data.reference,
  };
  const accountProblem = !account ? "ACCOUNT_UNKNOWN" : account.currency !== data.currency ? "CURRENCY_MISMATCH" : null;
  const reply = options.reply;
  const toResult = resultOf(paymentId);
  const outcome = await handleCommand(
    ctx.db,
    inboundPaymentAggregate(ctx.snapshotEvery),
    streamId,
    { type: "ReceiveInboundPayment", data: { ...received, accountProblem, sanctionsMatches: screen([data.debtorName, data.reference], entries) } },
    {
      metadata: { ...metadata, correlationId: metadata.correlationId ?? paymentId },
      idempotency: metadata.commandId
        ? {
            scope: schemeId,
            key: metadata.commandId,
            requestHash: options.requestHash ?? hashRequest(streamId, { type: "ReceiveInboundPayment", data }),
          }
        : undefined,
      reply: reply ? (first) => reply(toResult(first)) : undefined,
    },
  );
  return toResult(outcome);
}

export const inboundReviewSchema = z.object({ paymentId: idSchema, reason: requiredText("Reason", 500) });

async function review(ctx: CommandContext, paymentId: string, command: InboundPaymentCommand, metadata: CommandMetadata, options: Options) {
  const reply = options.reply;
  const toResult = resultOf(paymentId);
  const outcome = await handleCommand(ctx.db, inboundPaymentAggregate(ctx.snapshotEvery), inboundPaymentStreamId(paymentId), command, {
    metadata,
    idempotency: metadata.commandId ? { scope: metadata.actor.id, key: metadata.commandId, requestHash: options.requestHash } : undefined,
    reply: reply ? (first) => reply(toResult(first)) : undefined,
  });
  return toResult(outcome);
}

/** An admin lets a held inbound payment through: it is credited next (the caller drives it). */
export async function releaseHeldInboundPayment(ctx: CommandContext, input: unknown, metadata: CommandMetadata, options: Options = {}) {
  const { paymentId, reason } = parseInput(inboundReviewSchema, input);
  return review(ctx, paymentId, { type: "ReleaseInboundPayment", data: { reason } }, metadata, options);
}

/** An admin sends a held inbound payment back to the scheme; nothing was credited. */
export async function returnHeldInboundPayment(ctx: CommandContext, input: unknown, metadata: CommandMetadata, options: Options = {}) {
  const { paymentId, reason } = parseInput(inboundReviewSchema, input);
  return review(ctx, paymentId, { type: "ReturnInboundPayment", data: { reason } }, metadata, options);
}
