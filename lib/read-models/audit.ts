import { and, desc, eq, gte, lt, type SQL } from "drizzle-orm";
import type { Database } from "../db/client";
import { type AuditLogRow, auditLog } from "../db/schema";

export type AuditFilter = {
  actorId?: string;
  customerId?: string;
  accountId?: string;
  eventType?: string;
  outcome?: string;
  /** Inclusive lower bound. */
  from?: Date;
  /** Exclusive upper bound. */
  to?: Date;
};

/** A date (YYYY-MM-DD) is a whole UTC day; a date-time is that instant. */
export function auditBounds(from: string | undefined, to: string | undefined): { from?: Date; to?: Date } {
  const dayOnly = (value: string) => /^\d{4}-\d{2}-\d{2}$/.test(value);
  return {
    from: from === undefined ? undefined : new Date(dayOnly(from) ? `${from}T00:00:00Z` : from),
    to: to === undefined ? undefined : dayOnly(to) ? new Date(Date.parse(`${to}T00:00:00Z`) + 86_400_000) : new Date(to),
  };
}

/** The WHERE clause of an audit filter: the one place both the back office and the API build it. */
export function auditConditions(filter: AuditFilter): SQL[] {
  const conditions: SQL[] = [];
  if (filter.actorId) conditions.push(eq(auditLog.actorId, filter.actorId));
  if (filter.customerId) conditions.push(eq(auditLog.customerId, filter.customerId));
  if (filter.accountId) conditions.push(eq(auditLog.accountId, filter.accountId));
  if (filter.eventType) conditions.push(eq(auditLog.eventType, filter.eventType));
  if (filter.outcome) conditions.push(eq(auditLog.outcome, filter.outcome));
  if (filter.from) conditions.push(gte(auditLog.recordedAt, filter.from));
  if (filter.to) conditions.push(lt(auditLog.recordedAt, filter.to));
  return conditions;
}

/** One page of the audit log, newest first, by keyset on the global position (entries before `cursor`). */
export async function readAuditPage(
  db: Database,
  filter: AuditFilter,
  cursor: bigint | undefined,
  pageSize: number,
): Promise<{ rows: AuditLogRow[]; nextCursor: bigint | null }> {
  const conditions = auditConditions(filter);
  if (cursor !== undefined) conditions.push(lt(auditLog.globalPosition, cursor));
  const rows = await db
    .select()
    .from(auditLog)
    .where(conditions.length > 0 ? and(...conditions) : undefined)
    .orderBy(desc(auditLog.globalPosition))
    .limit(pageSize + 1);
  const page = rows.slice(0, pageSize);
  return { rows: page, nextCursor: rows.length > pageSize ? (page.at(-1)?.globalPosition ?? null) : null };
}
