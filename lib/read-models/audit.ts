import { and, desc, eq, gte, lt, sql, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";

import type { Database } from "../db/client";
import { accountSummary, auditLog, refusalSummaries, users } from "../db/schema";
import { normaliseAccountNumber } from "../domain/account/account-number";
import type { Currency } from "../domain/shared/currency";
import { isUuid } from "../domain/shared/uuid";
import { auditBounds } from "./audit-bounds";
import type { AuditFilter } from "./audit-filter";

// The audit trail's one read model: the back office (page and CSV) and the API read it through
// these, with the one filter type of ./audit-filter.ts.

export { auditBounds } from "./audit-bounds";
export type { AuditFilter } from "./audit-filter";

export type AuditChange = { from: string | null; to: string | null };

/** One audit entry as the back office shows it (amounts as strings: JSON has no bigint). */
export type AuditRowDto = {
  position: string;
  recordedAt: string;
  actorId: string;
  actorRole: string;
  actorEmail: string | null;
  eventType: string;
  outcome: "accepted" | "rejected";
  streamId: string;
  streamPosition: string;
  accountId: string | null;
  accountNumber: string | null;
  currency: Currency | null;
  customerId: string | null;
  customerEmail: string | null;
  summary: string;
  reason: string | null;
  changes: Record<string, AuditChange>;
};

const NOTHING = sql`false`;

/** A user id from "an id or an email"; undefined when no user has that email. */
async function userIdFrom(db: Database, value: string): Promise<string | undefined> {
  if (!value.includes("@")) return value;
  const rows = await db.select({ id: users.id }).from(users).where(eq(users.email, value.toLowerCase()));
  return rows[0]?.id;
}

/** An account id from "an id or a number"; undefined when nothing matches. */
async function accountIdFrom(db: Database, value: string): Promise<string | undefined> {
  if (isUuid(value)) return value.toLowerCase();
  const number = normaliseAccountNumber(value);
  if (!number) return undefined;
  const rows = await db.select({ id: accountSummary.accountId }).from(accountSummary).where(eq(accountSummary.number, number));
  return rows[0]?.id;
}

/**
 * The WHERE clause of a filter. People type an email or an account number; once those are ids the
 * conditions are plain column tests. A name that matches nobody matches no row.
 */
async function conditionsFor(db: Database, filter: AuditFilter): Promise<SQL[]> {
  const actorId = filter.actor ? await userIdFrom(db, filter.actor) : undefined;
  const customerId = filter.customer ? await userIdFrom(db, filter.customer) : undefined;
  const accountId = filter.account ? await accountIdFrom(db, filter.account) : undefined;
  const unmatched = (filter.actor && !actorId) || (filter.customer && !customerId) || (filter.account && !accountId);
  const { from, to } = auditBounds(filter.from || undefined, filter.to || undefined);
  const conditions: SQL[] = [];
  if (actorId) conditions.push(eq(auditLog.actorId, actorId));
  if (customerId) conditions.push(eq(auditLog.customerId, customerId));
  if (accountId) conditions.push(eq(auditLog.accountId, accountId));
  if (filter.type) conditions.push(eq(auditLog.eventType, filter.type));
  if (filter.outcome) conditions.push(eq(auditLog.outcome, filter.outcome));
  if (from) conditions.push(gte(auditLog.recordedAt, from));
  if (to) conditions.push(lt(auditLog.recordedAt, to));
  return unmatched ? [...conditions, NOTHING] : conditions;
}

const actor = alias(users, "actor");
const customer = alias(users, "customer");

async function selectAudit(db: Database, conditions: SQL[], limit: number) {
  return db
    .select({
      row: auditLog,
      actorEmail: actor.email,
      customerEmail: customer.email,
      accountNumber: accountSummary.number,
      currency: accountSummary.currency,
      refusals: {
        key: refusalSummaries.key,
        attempts: refusalSummaries.attempts,
        firstAt: refusalSummaries.firstAt,
        lastAt: refusalSummaries.lastAt,
      },
    })
    .from(auditLog)
    .leftJoin(actor, eq(actor.id, auditLog.actorId))
    .leftJoin(customer, eq(customer.id, auditLog.customerId))
    .leftJoin(accountSummary, eq(accountSummary.accountId, auditLog.accountId))
    .leftJoin(refusalSummaries, eq(refusalSummaries.eventPosition, auditLog.globalPosition))
    .where(conditions.length > 0 ? and(...conditions) : undefined)
    .orderBy(desc(auditLog.globalPosition))
    .limit(limit);
}

type AuditSelection = Awaited<ReturnType<typeof selectAudit>>[number];

export type AuditEntry = AuditSelection["row"];

/** One audit entry as the back office shows it (amounts as strings: JSON has no bigint). */
export function toAuditRowDto({ row, actorEmail, customerEmail, accountNumber, currency, refusals }: AuditSelection): AuditRowDto {
  return {
    position: row.globalPosition.toString(),
    recordedAt: row.recordedAt.toISOString(),
    actorId: row.actorId,
    actorRole: row.actorRole,
    actorEmail,
    eventType: row.eventType,
    outcome: row.outcome === "rejected" ? "rejected" : "accepted",
    streamId: row.streamId,
    streamPosition: row.streamPosition.toString(),
    accountId: row.accountId,
    accountNumber,
    currency: currency ?? null,
    customerId: row.customerId,
    customerEmail,
    summary: refusals ? refusalSummary(refusals) : row.summary,
    reason: row.reason,
    changes: (row.changes ?? {}) as Record<string, AuditChange>,
  };
}

const utc = (at: Date) => `${at.toISOString().slice(0, 19).replace("T", " ")} UTC`;

/** A counted summary's line: the window's one event stands for every refusal counted in it. */
function refusalSummary(refusals: { key: string; attempts: number; firstAt: Date; lastAt: Date }): string {
  const who = refusals.key.startsWith("ip:") ? `from ${refusals.key.slice(3)}` : `for ${refusals.key.replace(/^email:/, "")}`;
  const count = Number(refusals.attempts);
  return `${count} refused sign-in${count === 1 ? "" : "s"} ${who} between ${utc(refusals.firstAt)} and ${utc(refusals.lastAt)}`;
}

/** One page of the audit log, newest first, by keyset on the global position (entries before `cursor`). */
export async function readAuditPage(
  db: Database,
  filter: AuditFilter,
  cursor: bigint | undefined,
  pageSize: number,
): Promise<{ rows: AuditSelection[]; nextCursor: bigint | null }> {
  const conditions = await conditionsFor(db, filter);
  if (cursor !== undefined) conditions.push(lt(auditLog.globalPosition, cursor));
  const rows = await selectAudit(db, conditions, pageSize + 1);
  const page = rows.slice(0, pageSize);
  return { rows: page, nextCursor: rows.length > pageSize ? (page.at(-1)?.row.globalPosition ?? null) : null };
}

/** Every row the filter matches, newest first, up to `limit` (the CSV export). */
export async function readAuditForExport(db: Database, filter: AuditFilter, limit: number): Promise<AuditSelection[]> {
  return selectAudit(db, await conditionsFor(db, filter), limit);
}
