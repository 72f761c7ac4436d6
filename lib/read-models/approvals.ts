import { and, asc, eq, inArray } from "drizzle-orm";

import type { Database } from "../db/client";
import { approvalsView, users } from "../db/schema";
import { APPROVAL_KIND_LABELS, type ApprovalKind } from "../domain/approval/events";
import type { Currency } from "../domain/shared/currency";
import { isUuid } from "../domain/shared/uuid";

// Four-eyes approvals for the back office (the DAL checks the role).

export type PendingApprovalDto = {
  id: string;
  kind: ApprovalKind;
  kindLabel: string;
  round: number;
  subjectId: string;
  accountId: string;
  description: string;
  amount: string | null;
  currency: Currency | null;
  requestedBy: string;
  requestedByEmail: string | null;
  requestReason: string;
  requestedAt: string;
  /** The viewer asked for it: they cannot decide it (another admin must). */
  mine: boolean;
};

/** Approvals waiting for a second admin, oldest first, as `viewerId` sees them. */
export async function readPendingApprovals(db: Database, viewerId: string, limit: number): Promise<PendingApprovalDto[]> {
  const rows = await db
    .select({ approval: approvalsView, email: users.email })
    .from(approvalsView)
    .leftJoin(users, eq(users.id, approvalsView.requestedBy))
    .where(eq(approvalsView.status, "pending"))
    .orderBy(asc(approvalsView.requestedAt))
    .limit(limit);
  return rows.map(({ approval: row, email }) => ({
    id: row.approvalId,
    kind: row.kind as ApprovalKind,
    kindLabel: APPROVAL_KIND_LABELS[row.kind as ApprovalKind] ?? row.kind,
    round: row.round,
    subjectId: row.subjectId,
    accountId: row.accountId,
    description: row.description,
    amount: row.amount === null ? null : row.amount.toString(),
    currency: row.currency as Currency | null,
    requestedBy: row.requestedBy,
    requestedByEmail: email,
    requestReason: row.requestReason,
    requestedAt: row.requestedAt.toISOString(),
    mine: row.requestedBy === viewerId,
  }));
}

export type AwaitingApprovalDto = { approvalId: string; requestedByEmail: string | null; requestedAt: string };

/** The pending approval on each of these transfers or accounts that has one, by subject id. */
export async function readAwaitingApprovals(db: Database, subjectIds: readonly string[]): Promise<Map<string, AwaitingApprovalDto>> {
  const found = new Map<string, AwaitingApprovalDto>();
  const ids = subjectIds.filter((id) => isUuid(id));
  if (ids.length === 0) return found;
  const rows = await db
    .select({ subjectId: approvalsView.subjectId, approvalId: approvalsView.approvalId, email: users.email, requestedAt: approvalsView.requestedAt })
    .from(approvalsView)
    .leftJoin(users, eq(users.id, approvalsView.requestedBy))
    .where(and(eq(approvalsView.status, "pending"), inArray(approvalsView.subjectId, ids)));
  for (const row of rows)
    found.set(row.subjectId, { approvalId: row.approvalId, requestedByEmail: row.email, requestedAt: row.requestedAt.toISOString() });
  return found;
}
