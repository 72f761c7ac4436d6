import { randomInt } from "node:crypto";

import { z } from "zod";

import type { Database } from "../db/client";
import type { AccountSummaryRow } from "../db/schema";
import { accountNumberFromDigits } from "../domain/account/account-number";
import { ACCOUNT_STATE_SCHEMA_VERSION, accountEventCodec, decodeAccountState } from "../domain/account/codec";
import { FREEZE_CATEGORIES, type AccountCommand } from "../domain/account/commands";
import { ACCOUNT_STREAM_TYPE, accountDecider, accountStreamId } from "../domain/account/decider";
import { REJECTION_EVENT_TYPES, type AccountEvent } from "../domain/account/events";
import type { AccountState } from "../domain/account/state";
import { CURRENCY_CODES } from "../domain/shared/currency";
import type { CommandMetadata } from "../domain/shared/decider";
import { DomainError } from "../domain/shared/errors";
import { sqlState } from "../event-store/errors";
import {
  handleCommand,
  hashRequest,
  type AggregateSpec,
  type CommandOutcome,
  type DeferredCaller,
  type StoredReply,
} from "../event-store/handle-command";
import type { StoredEvent } from "../event-store/types";
import { inlineProjection } from "../projections/registry";
import { createdId } from "./ids";
import { idSchema, minorUnitsSchema, optionalText, parseInput, perLimit, requiredText } from "./validation";

/** What the account commands need from their surroundings; built once from env in the app. */
export type CommandContext = {
  readonly db: Database;
  readonly snapshotEvery: number;
  readonly maxAmount: bigint;
  /** Largest single transfer; defaults to maxAmount. */
  readonly maxTransferAmount?: bigint;
  /** Held transfers above this (minor units) need a second admin to release; default DEFAULT_APPROVAL_THRESHOLD. */
  readonly approvalThreshold?: bigint;
};

export const accountAggregate = perLimit((snapshotEvery: number): AggregateSpec<AccountCommand, AccountEvent, AccountState> => {
  return {
    streamType: ACCOUNT_STREAM_TYPE,
    decider: accountDecider,
    codec: accountEventCodec,
    snapshot: { schemaVersion: ACCOUNT_STATE_SCHEMA_VERSION, decode: decodeAccountState, every: snapshotEvery },
    ...inlineProjection(ACCOUNT_STREAM_TYPE),
    // Accounts can be hot (a payroll account, a merchant): queue on the stream row rather than retry.
    lockStream: true,
  };
});

export type AccountCommandResult = {
  readonly accountId: string;
  readonly outcome: "accepted" | "rejected";
  /** The event the command produced (for a rejection: the rejection, with its code). */
  readonly event: StoredEvent<AccountEvent>;
  readonly version: bigint;
  readonly state?: AccountState;
  readonly replayed: boolean;
  /** The account_summary row the command wrote (absent on a replay). */
  readonly summary?: AccountSummaryRow;
  /** The answer kept with the idempotency key (the caller's `reply`, first time or replayed). */
  readonly reply?: StoredReply;
};

function toResult(accountId: string, outcome: CommandOutcome<AccountEvent, AccountState>): AccountCommandResult {
  const event = outcome.events[0];
  if (!event) throw new Error("An account command always records one event");
  return {
    accountId,
    outcome: REJECTION_EVENT_TYPES.has(event.type) ? "rejected" : "accepted",
    event,
    version: outcome.version,
    state: outcome.state,
    replayed: outcome.replayed,
    summary: outcome.projected as AccountSummaryRow | undefined,
    reply: outcome.reply,
  };
}

/**
 * `recordedAt` only for importing history (the demo seed). `ownerId`: the account must belong to
 * this customer, else ACCOUNT_NOT_FOUND with nothing recorded; checked on the state the command
 * loads, so callers need no read of their own first.
 */
export type RunOptions = {
  recordedAt?: Date;
  ownerId?: string;
  /** The caller, read in the command's first round trip (the API's bearer token); the account must be theirs. */
  caller?: DeferredCaller;
  /** What counts as the same request under the command id (the API hashes the HTTP request). */
  requestHash?: string;
  /** The answer to keep with the command id, built in the command's transaction. */
  reply?: (result: AccountCommandResult) => StoredReply;
  /** Segregation of duties: the account must not be this user's (an admin's own account). */
  notOwnedBy?: string;
  /** Four eyes: a second admin granted this action (lib/commands/approvals.ts sets it, nothing else). */
  approved?: boolean;
};

/** An admin never freezes or unfreezes their own account: refused with nothing recorded. */
function notOwnAccount(actorId: string, also?: (state: AccountState) => void) {
  return (state: AccountState) => {
    if (state.status !== "Unopened" && state.customerId === actorId)
      throw new DomainError("OWN_ITEM", "Admins cannot act on their own accounts; ask another admin.");
    also?.(state);
  };
}

/** Whether lifting this account's freeze needs a second admin (four eyes on a fraud freeze). */
export const unfreezeNeedsApproval = (state: AccountState) => state.status === "Frozen" && state.freeze.category === "suspected_fraud";

/** Four eyes: a fraud freeze is lifted only through a granted approval; checked on the locked state. */
const fraudFreezeNeedsApproval = (state: AccountState) => {
  if (unfreezeNeedsApproval(state)) {
    throw new DomainError("APPROVAL_REQUIRED", "Lifting a fraud freeze needs a second admin's approval.");
  }
};

function ownedBy(ownerId: string) {
  return (state: AccountState) => {
    if (state.status === "Unopened" || state.customerId !== ownerId) throw new DomainError("ACCOUNT_NOT_FOUND", "No such account.");
  };
}

async function run(
  ctx: CommandContext,
  accountId: string,
  command: AccountCommand,
  metadata: CommandMetadata,
  options: RunOptions = {},
): Promise<AccountCommandResult> {
  const reply = options.reply;
  const outcome = await handleCommand(ctx.db, accountAggregate(ctx.snapshotEvery), accountStreamId(accountId), command, {
    metadata,
    idempotency: metadata.commandId ? { scope: metadata.actor.id, key: metadata.commandId, requestHash: options.requestHash } : undefined,
    reply: reply ? (first) => reply(toResult(accountId, first)) : undefined,
    recordedAt: options.recordedAt,
    caller: options.caller,
    guard: options.caller
      ? (state, actor) => ownedBy(actor.id)(state)
      : options.ownerId !== undefined
        ? ownedBy(options.ownerId)
        : options.notOwnedBy !== undefined
          ? notOwnAccount(options.notOwnedBy, command.type === "UnfreezeAccount" && !options.approved ? fraudFreezeNeedsApproval : undefined)
          : undefined,
  });
  return toResult(accountId, outcome);
}

/** Exported so the API can describe and check the same fields (lib/api). */
export const openAccountInput = z.object({
  customerId: z.string().min(1, "A customer is required."),
  currency: z.enum(CURRENCY_CODES, { error: `Choose a currency: ${CURRENCY_CODES.join(", ")}.` }),
  nickname: optionalText("Nickname", 40),
});

export async function openAccount(
  ctx: CommandContext,
  input: unknown,
  metadata: CommandMetadata,
  options: RunOptions = {},
): Promise<AccountCommandResult> {
  const data = parseInput(openAccountInput, input);
  const accountId = createdId("account", metadata);
  // The number is drawn per attempt, so "the same request" is the customer's input, not the command.
  const requestHash = options.requestHash ?? hashRequest(accountStreamId(accountId), { type: "OpenAccount", data });
  for (let attempt = 1; ; attempt++) {
    const number = accountNumberFromDigits(String(randomInt(0, 100_000_000)).padStart(8, "0"));
    try {
      return await run(ctx, accountId, { type: "OpenAccount", data: { accountId, ...data, number } }, metadata, { ...options, requestHash });
    } catch (error) {
      // Eight random digits can collide with an existing number: the unique index says so; draw again.
      if (sqlState(error) !== "23505" || attempt >= 5) throw error;
    }
  }
}

export const moneyInput = perLimit((maxAmount: bigint) =>
  z.object({
    accountId: idSchema,
    amount: minorUnitsSchema(maxAmount),
    reference: optionalText("Reference", 140),
  }),
);

export async function depositMoney(
  ctx: CommandContext,
  input: unknown,
  metadata: CommandMetadata,
  options: RunOptions = {},
): Promise<AccountCommandResult> {
  const { accountId, amount, reference } = parseInput(moneyInput(ctx.maxAmount), input);
  return run(ctx, accountId, { type: "DepositMoney", data: { amount, reference } }, metadata, options);
}

export async function withdrawMoney(
  ctx: CommandContext,
  input: unknown,
  metadata: CommandMetadata,
  options: RunOptions = {},
): Promise<AccountCommandResult> {
  const { accountId, amount, reference } = parseInput(moneyInput(ctx.maxAmount), input);
  return run(ctx, accountId, { type: "WithdrawMoney", data: { amount, reference } }, metadata, options);
}

export const freezeInput = z.object({
  accountId: idSchema,
  category: z.enum(FREEZE_CATEGORIES, { error: "Choose why the account is frozen." }),
  reason: requiredText("Reason", 500),
});
export const reasonInput = z.object({ accountId: idSchema, reason: requiredText("Reason", 500) });

export async function freezeAccount(
  ctx: CommandContext,
  input: unknown,
  metadata: CommandMetadata,
  options: RunOptions = {},
): Promise<AccountCommandResult> {
  const { accountId, category, reason } = parseInput(freezeInput, input);
  return run(ctx, accountId, { type: "FreezeAccount", data: { category, reason } }, metadata, { ...options, notOwnedBy: metadata.actor.id });
}

export async function unfreezeAccount(
  ctx: CommandContext,
  input: unknown,
  metadata: CommandMetadata,
  options: RunOptions = {},
): Promise<AccountCommandResult> {
  const { accountId, reason } = parseInput(reasonInput, input);
  return run(ctx, accountId, { type: "UnfreezeAccount", data: { reason } }, metadata, { ...options, notOwnedBy: metadata.actor.id });
}

export async function closeAccount(
  ctx: CommandContext,
  input: unknown,
  metadata: CommandMetadata,
  options: RunOptions = {},
): Promise<AccountCommandResult> {
  const { accountId, reason } = parseInput(reasonInput, input);
  return run(ctx, accountId, { type: "CloseAccount", data: { reason } }, metadata, options);
}
