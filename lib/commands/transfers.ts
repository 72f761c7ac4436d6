import { randomUUID } from "node:crypto";

import { eq } from "drizzle-orm";
import { electronicFormatIBAN, isValidIBAN } from "ibantools";
import { z } from "zod";

import { accountSummary, users, type TransferViewRow } from "../db/schema";
import { normaliseAccountNumber } from "../domain/account/account-number";
import { DEFAULT_APPROVAL_THRESHOLD, releaseNeedsApproval } from "../domain/approval/events";
import { decodeSanctionsState, SANCTIONS_STATE_SCHEMA_VERSION, sanctionsEventCodec } from "../domain/sanctions/codec";
import {
  SANCTIONS_STREAM_ID,
  SANCTIONS_STREAM_TYPE,
  sanctionsDecider,
  type SanctionsCommand,
  type SanctionsEvent,
  type SanctionsState,
} from "../domain/sanctions/sanctions";
import type { CommandMetadata } from "../domain/shared/decider";
import { DomainError, ValidationError } from "../domain/shared/errors";
import { formatMoney } from "../domain/shared/money";
import { decodeTransferState, TRANSFER_STATE_SCHEMA_VERSION, transferEventCodec } from "../domain/transfer/codec";
import type { TransferCommand } from "../domain/transfer/commands";
import { transferDecider } from "../domain/transfer/decider";
import { TRANSFER_STREAM_TYPE, transferStreamId, type TransferEvent, type TransferParty, type TransferRequested } from "../domain/transfer/events";
import type { TransferState } from "../domain/transfer/state";
import { handleCommand, hashRequest, type AggregateSpec, type StoredReply } from "../event-store/handle-command";
import { inlineProjection } from "../projections/registry";
import type { CommandContext } from "./accounts";
import { checkDestination } from "./destination";
import { createdId } from "./ids";
import { idSchema, minorUnitsSchema, optionalText, parseInput, perLimit, requiredText } from "./validation";

export const transferAggregate = perLimit((snapshotEvery: number): AggregateSpec<TransferCommand, TransferEvent, TransferState> => ({
  streamType: TRANSFER_STREAM_TYPE,
  decider: transferDecider,
  codec: transferEventCodec,
  snapshot: { schemaVersion: TRANSFER_STATE_SCHEMA_VERSION, decode: decodeTransferState, every: snapshotEvery },
  ...inlineProjection(TRANSFER_STREAM_TYPE),
  lockStream: true,
}));

export const sanctionsAggregate: AggregateSpec<SanctionsCommand, SanctionsEvent, SanctionsState> = {
  streamType: SANCTIONS_STREAM_TYPE,
  decider: sanctionsDecider,
  codec: sanctionsEventCodec,
  snapshot: { schemaVersion: SANCTIONS_STATE_SCHEMA_VERSION, decode: decodeSanctionsState, every: 100 },
  ...inlineProjection(SANCTIONS_STREAM_TYPE),
  lockStream: true,
};

/** An account number as a customer types it: normalised, checked; blank means "not given". */
export const accountNumberText = z.string().transform((value, ctx) => {
  if (value.trim() === "") return undefined;
  const number = normaliseAccountNumber(value);
  if (!number) {
    ctx.addIssue({ code: "custom", message: "That is not a valid account number (like LL12 3456 7890); check it for typos." });
    return z.NEVER;
  }
  return number;
});

/**
 * An account at another bank: an IBAN (country, two check digits, the country's own layout), checked
 * by ibantools against each country's length and pattern and the ISO 7064 MOD 97-10 check digits.
 * Ledgerline's own numbers (LL…) are not IBANs of any country, so they never pass as external.
 */
export const ibanText = z
  .string({ error: "Enter the IBAN of the payee's account." })
  .max(64, "An IBAN has at most 34 characters.")
  .transform((value, ctx) => {
    if (value.trim() === "") return undefined;
    const iban = electronicFormatIBAN(value);
    if (!iban || !isValidIBAN(iban)) {
      ctx.addIssue({ code: "custom", message: "That is not a valid IBAN (like DE89 3704 0044 0532 0130 00); check it for typos." });
      return z.NEVER;
    }
    return iban;
  });

/**
 * The fields of a transfer request; the destination may be given by account number (someone else's
 * here), by id (one of mine), or by IBAN and name (an account at another bank, paid through the scheme).
 */
export const transferRequestFields = perLimit((maxAmount: bigint) =>
  z.object({
    fromAccountId: idSchema,
    toAccountId: idSchema.optional(),
    toAccountNumber: accountNumberText.optional(),
    toIban: ibanText.optional(),
    payeeName: optionalText("Payee's name", 70),
    amount: minorUnitsSchema(maxAmount),
    reference: optionalText("Reference", 140),
  }),
);

const requestSchema = perLimit((maxAmount: bigint) =>
  transferRequestFields(maxAmount)
    .refine((input) => input.toAccountId !== undefined || input.toAccountNumber !== undefined || input.toIban !== undefined, {
      path: ["toAccountNumber"],
      message: "Choose one of your accounts or enter the payee's account number.",
      // Said along with the other fields' problems, so a request lists everything at once.
      when: (payload) => typeof payload.value === "object" && payload.value !== null,
    })
    .refine((input) => [input.toAccountId, input.toAccountNumber, input.toIban].filter((to) => to !== undefined).length <= 1, {
      path: ["toIban"],
      message: "Pay one destination: an account here or an IBAN at another bank, not both.",
    })
    .refine((input) => input.toIban === undefined || (input.payeeName ?? "") !== "", {
      path: ["payeeName"],
      message: "Enter the name of the payee's account holder, as their bank knows it.",
    }),
);

export type TransferRequestInput = z.input<ReturnType<typeof requestSchema>>;

async function party(ctx: CommandContext, where: { accountId?: string; number?: string }) {
  const condition = where.accountId ? eq(accountSummary.accountId, where.accountId) : eq(accountSummary.number, where.number ?? "");
  const rows = await ctx.db
    .select({ account: accountSummary, name: users.name })
    .from(accountSummary)
    .leftJoin(users, eq(users.id, accountSummary.customerId))
    .where(condition);
  return rows[0];
}

export type TransferRequestResult = {
  readonly transferId: string;
  readonly replayed: boolean;
  /** The transfers_view row right after the request (absent on a replay). */
  readonly view?: TransferViewRow;
  /** The answer kept with the command id (the caller's `reply`, first time or replayed). */
  readonly reply?: StoredReply;
};

/**
 * Validates and records a transfer request: both accounts exist, differ, and hold the same currency.
 * Whether the money is there is for the reserve step to find out (and record). The caller checks
 * that the source account belongs to the requester. With a command id the transfer's id is derived
 * from it, so a retried request (even after a crash) meets the first transfer instead of making
 * another, and gets its answer back.
 */
export async function requestTransfer(
  ctx: CommandContext,
  input: unknown,
  metadata: CommandMetadata,
  options: TransferCommandOptions = {},
): Promise<TransferRequestResult> {
  const { request, asked } = await checkTransferRequest(ctx, input);
  return recordTransferRequest(ctx, request, asked, metadata, options);
}

/** What a transfer request would record: who pays whom, how much, in which currency. */
export type TransferPreview = Omit<TransferRequested["data"], "transferId">;

/**
 * The request as `requestTransfer` would record it, after the very same validation and look-ups,
 * writing nothing: a form's review step shows this, so the review and the submit cannot disagree.
 * Bad input throws the same `ValidationError`.
 */
export async function previewTransfer(ctx: CommandContext, input: unknown): Promise<TransferPreview> {
  return (await checkTransferRequest(ctx, input)).request;
}

/**
 * Every rule of a transfer request, once: the fields (every problem at once), then the accounts
 * they name. `asked` is the parsed input, the request's identity under its command id.
 */
async function checkTransferRequest(ctx: CommandContext, input: unknown): Promise<{ request: TransferPreview; asked: ParsedRequest }> {
  const data = parseInput(requestSchema(ctx.maxTransferAmount ?? ctx.maxAmount), input);
  const [source, destination] = await Promise.all([
    party(ctx, { accountId: data.fromAccountId }),
    // A payment to another bank has no account here: `to` is the IBAN and the name the customer gave.
    data.toIban !== undefined ? undefined : party(ctx, data.toAccountId ? { accountId: data.toAccountId } : { number: data.toAccountNumber }),
  ]);
  if (!source) throw new ValidationError({ fromAccountId: ["Choose one of your accounts to pay from."] });
  const from = toParty(source);
  const currency = source.account.currency;
  const { amount, reference } = data;
  if (data.toIban !== undefined) {
    const to: TransferParty = { accountId: "", number: data.toIban, customerId: "", name: data.payeeName ?? "" };
    return { request: { from, to, amount, currency, reference, external: true }, asked: data };
  }
  const to = toParty(checkDestination(source.account.accountId, currency, destination, "Transfers must stay"));
  return { request: { from, to, amount, currency, reference }, asked: data };
}

const toParty = (row: NonNullable<Awaited<ReturnType<typeof party>>>): TransferParty => ({
  accountId: row.account.accountId,
  number: row.account.number,
  customerId: row.account.customerId,
  name: row.name ?? "Ledgerline customer",
});

/**
 * Records a transfer's request on a new transfer stream, its id derived from the command. The
 * request hash is what the customer asked for (`asked`), not the names looked up for it: a retry is
 * the same request even if a name changed in between.
 */
async function recordTransferRequest(
  ctx: CommandContext,
  request: Omit<TransferRequested["data"], "transferId">,
  asked: unknown,
  metadata: CommandMetadata,
  options: TransferCommandOptions,
): Promise<TransferRequestResult> {
  const transferId = createdId("transfer", metadata);
  const streamId = transferStreamId(transferId);
  const requestHash = options.requestHash ?? hashRequest(streamId, { type: "RequestTransfer", data: asked });
  const reply = options.reply;
  const resultOf = (outcome: { replayed: boolean; projected?: unknown; reply?: StoredReply }): TransferRequestResult => ({
    transferId,
    replayed: outcome.replayed,
    view: outcome.projected as TransferViewRow | undefined,
    reply: outcome.reply,
  });
  const outcome = await handleCommand(
    ctx.db,
    transferAggregate(ctx.snapshotEvery),
    streamId,
    { type: "RequestTransfer", data: { transferId, ...request } },
    {
      metadata: { ...metadata, correlationId: metadata.correlationId ?? transferId },
      idempotency: metadata.commandId ? { scope: metadata.actor.id, key: metadata.commandId, requestHash } : undefined,
      reply: reply ? (first) => reply(resultOf(first)) : undefined,
    },
  );
  return resultOf(outcome);
}

type ParsedRequest = z.output<ReturnType<typeof requestSchema>>;

export const schemeSettleSchema = z.object({ transferId: idSchema, schemeReference: optionalText("Scheme reference", 100) });
export const schemeReturnSchema = z.object({ transferId: idSchema, reason: requiredText("Reason", 300) });

/**
 * The scheme's answer to an outbound payment. The transfer stream is its idempotency: the same
 * answer again records nothing and gets the payment as it stands; the other answer is refused.
 */
export async function answerOutboundPayment(
  ctx: CommandContext,
  answer: "settle" | "return",
  input: unknown,
  metadata: CommandMetadata,
): Promise<{ transferId: string }> {
  const command: TransferCommand =
    answer === "settle"
      ? (() => {
          const { schemeReference } = parseInput(schemeSettleSchema, input);
          return { type: "SettleAtScheme", data: { schemeReference } };
        })()
      : (() => {
          const { reason } = parseInput(schemeReturnSchema, input);
          return { type: "ReturnAtScheme", data: { reason } };
        })();
  const { transferId } = parseInput(z.object({ transferId: idSchema }), input);
  await handleCommand(ctx.db, transferAggregate(ctx.snapshotEvery), transferStreamId(transferId), command, {
    metadata: { ...metadata, correlationId: metadata.correlationId ?? transferId, causationId: transferId },
    guard: (state) => {
      if (state.status === "None" || !state.external)
        throw new DomainError("OUTBOUND_PAYMENT_NOT_FOUND", "There is no such payment to another bank.");
    },
  });
  return { transferId };
}

export const reviewSchema = z.object({ transferId: idSchema, reason: requiredText("Reason", 500) });

/**
 * How a transfer command may answer: what "the same request" is under its command id, and the answer
 * to keep. `approved`: a second admin granted the release (set by lib/commands/approvals.ts only).
 */
export type TransferCommandOptions = { requestHash?: string; reply?: (result: TransferRequestResult) => StoredReply; approved?: boolean };

/** A review decision on one transfer, recorded once per command id (a double click decides once). */
async function review(ctx: CommandContext, transferId: string, command: TransferCommand, metadata: CommandMetadata, options: TransferCommandOptions) {
  const reply = options.reply;
  const resultOf = (outcome: { replayed: boolean; projected?: unknown; reply?: StoredReply }): TransferRequestResult => ({
    transferId,
    replayed: outcome.replayed,
    view: outcome.projected as TransferViewRow | undefined,
    reply: outcome.reply,
  });
  const outcome = await handleCommand(ctx.db, transferAggregate(ctx.snapshotEvery), transferStreamId(transferId), command, {
    metadata,
    // Segregation of duties: no admin reviews a transfer from or to their own account.
    guard: (state) => {
      if (state.status !== "None" && (state.from.customerId === metadata.actor.id || state.to.customerId === metadata.actor.id)) {
        throw new DomainError("OWN_ITEM", "Admins cannot review their own transfers; ask another admin.");
      }
      // Four eyes, on the locked state: a large held transfer is released only through a granted approval.
      const threshold = ctx.approvalThreshold ?? DEFAULT_APPROVAL_THRESHOLD;
      if (command.type === "ReleaseTransfer" && !options.approved && state.status === "Held" && releaseNeedsApproval(state.amount, threshold)) {
        throw new DomainError(
          "APPROVAL_REQUIRED",
          `Releasing a held transfer above ${formatMoney(threshold, state.currency)} needs a second admin's approval.`,
        );
      }
    },
    idempotency: metadata.commandId ? { scope: metadata.actor.id, key: metadata.commandId, requestHash: options.requestHash } : undefined,
    reply: reply ? (first) => reply(resultOf(first)) : undefined,
  });
  return resultOf(outcome);
}

/** An admin lets a held transfer continue. */
export async function releaseHeldTransfer(ctx: CommandContext, input: unknown, metadata: CommandMetadata, options: TransferCommandOptions = {}) {
  const { transferId, reason } = parseInput(reviewSchema, input);
  return review(ctx, transferId, { type: "ReleaseTransfer", data: { reason } }, metadata, options);
}

/** An admin stops a held transfer; nothing was reserved yet, so nothing needs undoing. */
export async function rejectHeldTransfer(ctx: CommandContext, input: unknown, metadata: CommandMetadata, options: TransferCommandOptions = {}) {
  const { transferId, reason } = parseInput(reviewSchema, input);
  return review(ctx, transferId, { type: "RejectTransfer", data: { reason } }, metadata, options);
}

export async function addSanctionsEntry(ctx: CommandContext, input: unknown, metadata: CommandMetadata) {
  const { name, reason } = parseInput(z.object({ name: requiredText("Name", 200), reason: requiredText("Reason", 500) }), input);
  const entryId = randomUUID();
  await handleCommand(ctx.db, sanctionsAggregate, SANCTIONS_STREAM_ID, { type: "AddSanctionsEntry", data: { entryId, name, reason } }, { metadata });
  return { entryId };
}

export async function removeSanctionsEntry(ctx: CommandContext, input: unknown, metadata: CommandMetadata) {
  const { entryId, reason } = parseInput(z.object({ entryId: idSchema, reason: requiredText("Reason", 500) }), input);
  await handleCommand(ctx.db, sanctionsAggregate, SANCTIONS_STREAM_ID, { type: "RemoveSanctionsEntry", data: { entryId, reason } }, { metadata });
}
