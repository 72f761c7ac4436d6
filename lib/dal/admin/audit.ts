import "server-only";
import { and, desc, eq, lt, type SQL, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { AUDIT_EXPORT_LIMIT, AUDIT_PAGE_SIZE, type AuditFilter, dateRange } from "../../admin/audit-filter";
import type { AuditChange, AuditRowDto } from "../../admin/audit-row";
import type { Database } from "../../db/client";
import { database } from "../../db";
import { accountSummary, auditLog, users } from "../../db/schema";
import { normaliseAccountNumber } from "../../domain/account/account-number";
import type { Currency } from "../../domain/shared/currency";
import { auditConditions } from "../../read-models/audit";
import { currentAdmin, requireAdminUser, UUID } from "./access";

const NOTHING = sql`false`;

/** A user id from "an id or an email"; undefined when no user has that email. */
async function userIdFrom(db: Database, value: string): Promise<string | undefined> {
  if (!value.includes("@")) return value;
  const rows = await db.select({ id: users.id }).from(users).where(eq(users.email, value.toLowerCase()));
  return rows[0]?.id;
}

/** An account id from "an id or a number"; undefined when nothing matches. */
async function accountIdFrom(db: Database, value: string): Promise<string | undefined> {
  if (UUID.test(value)) return value.toLowerCase();
  const number = normaliseAccountNumber(value);
  if (!number) return undefined;
  const rows = await db.select({ id: accountSummary.accountId }).from(accountSummary).where(eq(accountSummary.number, number));
  return rows[0]?.id;
}

/**
 * The WHERE clause of a filter; the page and the CSV export both use this one. The back office
 * lets people type an email or an account number; once those are ids, the shared read-model
 * builds the conditions. A name that matches nobody matches no row.
 */
async function conditionsFor(db: Database, filter: AuditFilter): Promise<SQL[]> {
  const actorId = filter.actor ? await userIdFrom(db, filter.actor) : undefined;
  const customerId = filter.customer ? await userIdFrom(db, filter.customer) : undefined;
  const accountId = filter.account ? await accountIdFrom(db, filter.account) : undefined;
  const unmatched = (filter.actor && !actorId) || (filter.customer && !customerId) || (filter.account && !accountId);
  const { since, before } = dateRange(filter);
  const conditions = auditConditions({
    actorId,
    customerId,
    accountId,
    eventType: filter.type || undefined,
    outcome: filter.outcome || undefined,
    from: since,
    to: before,
  });
  return unmatched ? [...conditions, NOTHING] : conditions;
}

const actor = alias(users, "actor");
const customer = alias(users, "customer");

async function selectAudit(db: Database, conditions: SQL[], limit: number): Promise<AuditRowDto[]> {
  const rows = await db
    .select({
      row: auditLog,
      actorEmail: actor.email,
      customerEmail: customer.email,
      accountNumber: accountSummary.number,
      currency: accountSummary.currency,
    })
    .from(auditLog)
    .leftJoin(actor, eq(actor.id, auditLog.actorId))
    .leftJoin(customer, eq(customer.id, auditLog.customerId))
    .leftJoin(accountSummary, eq(accountSummary.accountId, auditLog.accountId))
    .where(and(...conditions))
    .orderBy(desc(auditLog.globalPosition))
    .limit(limit);
  return rows.map(({ row, actorEmail, customerEmail, accountNumber, currency }) => ({
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
    currency: (currency as Currency | null) ?? null,
    customerId: row.customerId,
    customerEmail,
    summary: row.summary,
    reason: row.reason,
    changes: (row.changes ?? {}) as Record<string, AuditChange>,
  }));
}

/** One page of the audit trail, newest first, by keyset on the global position. */
export async function getAuditPage(
  filter: AuditFilter,
  cursor?: bigint,
  pageSize = AUDIT_PAGE_SIZE,
): Promise<{ rows: AuditRowDto[]; nextCursor: string | null }> {
  await requireAdminUser();
  const { db } = await database();
  const conditions = await conditionsFor(db, filter);
  if (cursor !== undefined) conditions.push(lt(auditLog.globalPosition, cursor));
  const rows = await selectAudit(db, conditions, pageSize + 1);
  const page = rows.slice(0, pageSize);
  return { rows: page, nextCursor: rows.length > pageSize ? (page.at(-1)?.position ?? null) : null };
}

/**
 * Every row matching the filter (the page's rows, then the next pages' after them), for the CSV
 * export; undefined for anyone but an admin.
 */
export async function getAuditForExport(filter: AuditFilter, limit = AUDIT_EXPORT_LIMIT): Promise<AuditRowDto[] | undefined> {
  if (!(await currentAdmin())) return undefined;
  const { db } = await database();
  return selectAudit(db, await conditionsFor(db, filter), limit);
}
