import { and, asc, desc, eq, gt, lt, or, type SQL } from "drizzle-orm";

import type { Database } from "../db/client";
import { transfersView, users, type TransferViewRow } from "../db/schema";
import { formatAccountNumber } from "../domain/account/account-number";
import type { Currency } from "../domain/shared/currency";
import { maskName } from "../domain/shared/mask";
import { isUuid } from "./accounts";
import { readAwaitingApprovals, type AwaitingApprovalDto } from "./approvals";

// Transfer read-model queries and mappers with no session (see ./accounts.ts).

// Shared with confirmation of payee (lib/commands/payees.ts), so both show a name the same way.
export { maskName } from "../domain/shared/mask";

export type TransferDto = {
  id: string;
  status: string;
  direction: "out" | "in" | "own";
  amount: string;
  currency: Currency;
  reference: string | null;
  from: { accountId: string; number: string; name: string };
  to: { accountId: string; number: string; name: string };
  /** A payment to another bank: `to` is an IBAN and the name the customer gave. */
  external: boolean;
  steps: { step: string; at: string }[];
  failure: { code: string; reason: string; step: string } | null;
  requestedAt: string;
  updatedAt: string;
};

export const TERMINAL_STATUSES = ["completed", "failed"];

/** A transfer as `viewerId` may see it: the other party's name is masked. */
export function toTransferDto(row: TransferViewRow, viewerId: string): TransferDto {
  const mine = row.fromCustomerId === viewerId;
  const theirs = row.toCustomerId === viewerId;
  const direction = mine && theirs ? "own" : mine ? "out" : "in";
  return {
    id: row.transferId,
    // The customer learns a transfer is under review, never which list entry it matched.
    status: row.status,
    direction,
    amount: row.amount.toString(),
    currency: row.currency,
    reference: row.reference,
    from: {
      accountId: row.fromAccountId,
      number: formatAccountNumber(row.fromNumber),
      name: theirs && !mine ? maskName(row.fromName) : row.fromName,
    },
    // The name of an external payee is the one the customer typed: nothing to hide from them.
    to: {
      accountId: row.toAccountId,
      number: formatAccountNumber(row.toNumber),
      name: mine && !theirs && !row.external ? maskName(row.toName) : row.toName,
    },
    external: row.external,
    steps: row.steps,
    failure:
      row.status === "failed" && row.failureCode ? { code: row.failureCode, reason: row.failureReason ?? "", step: row.failureStep ?? "" } : null,
    requestedAt: row.requestedAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** A transfer the user sent or received; undefined otherwise (callers say "not found"). */
export async function findTransferFor(db: Database, userId: string, transferId: unknown): Promise<TransferViewRow | undefined> {
  if (!isUuid(transferId)) return undefined;
  const rows = await db
    .select()
    .from(transfersView)
    .where(and(eq(transfersView.transferId, transferId), or(eq(transfersView.fromCustomerId, userId), eq(transfersView.toCustomerId, userId))));
  return rows[0];
}

/** Any transfer: for admin paths only. */
export async function findTransfer(db: Database, transferId: unknown): Promise<TransferViewRow | undefined> {
  if (!isUuid(transferId)) return undefined;
  return (await db.select().from(transfersView).where(eq(transfersView.transferId, transferId)))[0];
}

/**
 * Transfers the user sent or received, newest first; with `accountId`, only those from or to that
 * account (the caller has checked it is the user's). `before` is a keyset cursor: the
 * (requestedAt, transferId) of the last row of the previous page.
 */
export async function listTransfersFor(
  db: Database,
  userId: string,
  options: { accountId?: string; limit: number; before?: { requestedAt: Date; transferId: string } },
): Promise<TransferViewRow[]> {
  const conditions: (SQL | undefined)[] = [
    options.accountId
      ? or(eq(transfersView.fromAccountId, options.accountId), eq(transfersView.toAccountId, options.accountId))
      : or(eq(transfersView.fromCustomerId, userId), eq(transfersView.toCustomerId, userId)),
  ];
  if (options.before) {
    const { requestedAt, transferId } = options.before;
    conditions.push(
      or(lt(transfersView.requestedAt, requestedAt), and(eq(transfersView.requestedAt, requestedAt), lt(transfersView.transferId, transferId))),
    );
  }
  return db
    .select()
    .from(transfersView)
    .where(and(...conditions))
    .orderBy(desc(transfersView.requestedAt), desc(transfersView.transferId))
    .limit(options.limit);
}

/** Opaque keyset cursor over (requestedAt, transferId), newest first: what a page hands the next one. */
export const encodeTransferCursor = (requestedAt: Date, transferId: string) =>
  Buffer.from(`${requestedAt.toISOString()}|${transferId}`).toString("base64url");

/** The cursor's position, or undefined when it is not one this code made. */
export function decodeTransferCursor(cursor: string): { requestedAt: Date; transferId: string } | undefined {
  const [at, transferId] = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  const requestedAt = new Date(at ?? "");
  if (!transferId || !isUuid(transferId) || Number.isNaN(requestedAt.getTime())) return undefined;
  return { requestedAt, transferId };
}

/** One page of a user's transfers (of one account of theirs, with accountId), newest first, and the next page's cursor. */
export async function readTransferPage(
  db: Database,
  userId: string,
  options: { accountId?: string; limit: number; before?: { requestedAt: Date; transferId: string } },
): Promise<{ rows: TransferViewRow[]; nextCursor: string | null }> {
  const rows = await listTransfersFor(db, userId, { ...options, limit: options.limit + 1 });
  const page = rows.slice(0, options.limit);
  const last = page.at(-1);
  return { rows: page, nextCursor: rows.length > options.limit && last ? encodeTransferCursor(last.requestedAt, last.transferId) : null };
}

/**
 * The scheme's outbox: payments to other banks waiting for its answer, oldest id first after
 * `after`. A payment stays listed until it is settled or returned, so a scheme that starts again
 * from the beginning after each pass misses none (even one whose transaction committed late).
 */
export async function listPendingOutboundPayments(db: Database, options: { after?: string; limit: number }): Promise<TransferViewRow[]> {
  const conditions: (SQL | undefined)[] = [eq(transfersView.external, true), eq(transfersView.status, "sent")];
  if (options.after) conditions.push(gt(transfersView.transferId, options.after));
  return db
    .select()
    .from(transfersView)
    .where(and(...conditions))
    .orderBy(asc(transfersView.transferId))
    .limit(options.limit);
}

/** An outbound payment by id, for the scheme (any state); undefined when there is no such external payment. */
export async function findOutboundPayment(db: Database, transferId: unknown): Promise<TransferViewRow | undefined> {
  if (!isUuid(transferId)) return undefined;
  const rows = await db
    .select()
    .from(transfersView)
    .where(and(eq(transfersView.transferId, transferId), eq(transfersView.external, true)));
  return rows[0];
}

/** A held transfer as the back office reviews it: both parties' real names, no masking. */
export type HeldTransferDto = {
  id: string;
  amount: string;
  currency: Currency;
  reference: string | null;
  holdReason: string;
  from: { accountId: string; customerId: string; number: string; name: string };
  to: { accountId: string; customerId: string; number: string; name: string };
  requestedBy: string;
  requestedByEmail: string | null;
  requestedAt: string;
  heldAt: string | null;
  /** A release was asked for above the four-eyes threshold: it waits for a second admin. */
  awaitingApproval: AwaitingApprovalDto | null;
};

/** Transfers waiting for an admin, oldest first (the longest wait is reviewed first): admin paths only. */
export async function readHeldTransfers(db: Database, limit: number): Promise<HeldTransferDto[]> {
  const rows = await db
    .select({ transfer: transfersView, requesterEmail: users.email })
    .from(transfersView)
    .leftJoin(users, eq(users.id, transfersView.requestedBy))
    .where(eq(transfersView.status, "held"))
    .orderBy(asc(transfersView.requestedAt))
    .limit(limit);
  const awaiting = await readAwaitingApprovals(
    db,
    rows.map(({ transfer }) => transfer.transferId),
  );
  return rows.map(({ transfer: row, requesterEmail }) => ({
    id: row.transferId,
    amount: row.amount.toString(),
    currency: row.currency,
    reference: row.reference,
    holdReason: row.holdReason ?? "Held for review",
    from: { accountId: row.fromAccountId, customerId: row.fromCustomerId, number: formatAccountNumber(row.fromNumber), name: row.fromName },
    to: { accountId: row.toAccountId, customerId: row.toCustomerId, number: formatAccountNumber(row.toNumber), name: row.toName },
    requestedBy: row.requestedBy,
    requestedByEmail: requesterEmail,
    requestedAt: row.requestedAt.toISOString(),
    heldAt: row.steps.find((step) => step.step === "held")?.at ?? null,
    awaitingApproval: awaiting.get(row.transferId) ?? null,
  }));
}
