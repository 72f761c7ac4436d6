import { randomUUID } from "node:crypto";

import type { Metadata } from "next";
import Link from "next/link";

import { AccountFigures } from "@/components/admin/account-figures";
import { AuditTable } from "@/components/admin/audit-table";
import { formatUtc } from "@/components/admin/format";
import { awaitingApprovalFor } from "@/lib/dal/admin/approvals";
import { auditQuery, getAuditPage } from "@/lib/dal/admin/audit";
import { getAdminAccount } from "@/lib/dal/admin/customers";
import { FREEZE_CATEGORIES } from "@/lib/domain/account/commands";
import { FREEZE_CATEGORY_LABELS } from "@/lib/errors/messages";

import { AccountControls } from "./account-controls";

export const metadata: Metadata = { title: "Account" };

const categoryLabel = (category: string) => FREEZE_CATEGORY_LABELS[category] ?? category;

export default async function AdminAccountPage({ params }: { params: Promise<{ accountId: string }> }) {
  const { accountId } = await params;
  const { account, owner } = await getAdminAccount(accountId);
  const recent = await getAuditPage({ account: account.id }, undefined, 10);
  const awaiting = (await awaitingApprovalFor([account.id])).get(account.id);
  const categories = FREEZE_CATEGORIES.map((value) => ({ value, label: categoryLabel(value) }));
  return (
    <>
      <div className="page-head">
        <div>
          <p className="muted breadcrumb">{owner ? <Link href={`/admin/customers/${owner.id}`}>{owner.name}</Link> : "Unknown owner"} ›</p>
          <h1>{account.nickname ?? `${account.currency} account`}</h1>
          <p className="muted mono">
            {account.displayNumber} · {account.currency}
          </p>
        </div>
        <div className="actions">
          <Link className="button secondary" href={`/admin/accounts/${account.id}/history`}>
            Time travel
          </Link>
          <Link className="button secondary" href={`/admin/streams/account-${account.id}`}>
            Stored events
          </Link>
        </div>
      </div>

      {awaiting ? (
        <p className="notice notice-warning" data-testid="awaiting-approval">
          Unfreeze awaiting approval by a second admin (asked by {awaiting.requestedByEmail ?? "an admin"} at {formatUtc(awaiting.requestedAt)}):{" "}
          <Link href="/admin/approvals">Approvals</Link>.
        </p>
      ) : null}

      <section className="card" aria-labelledby="summary-title">
        <h2 id="summary-title">Summary</h2>
        <AccountFigures figures={account} currency={account.currency} />
        <dl className="details">
          <div>
            <dt>Owner</dt>
            <dd>{owner ? `${owner.name} (${owner.email})` : account.customerId}</dd>
          </div>
          <div>
            <dt>Opened</dt>
            <dd>{formatUtc(account.openedAt)}</dd>
          </div>
          <div>
            <dt>Version (events)</dt>
            <dd>{account.version}</dd>
          </div>
          <div>
            <dt>Deposits · withdrawals · refusals</dt>
            <dd>
              {account.deposits} · {account.withdrawals} · {account.rejections}
            </dd>
          </div>
          {account.status === "Frozen" ? (
            <>
              <div>
                <dt>Freeze category (the customer sees this)</dt>
                <dd data-testid="freeze-category">{categoryLabel(account.freezeCategory ?? "other")}</dd>
              </div>
              <div>
                <dt>Freeze reason (back office only)</dt>
                <dd data-testid="freeze-reason">{account.freezeReason}</dd>
              </div>
            </>
          ) : null}
        </dl>
      </section>

      <AccountControls accountId={account.id} status={account.status} categories={categories} commandId={randomUUID()} />

      <section aria-labelledby="recent-title">
        <div className="section-head">
          <h2 id="recent-title">Recent activity</h2>
          <Link href={`/admin/audit${auditQuery({ account: account.id })}`}>Full audit trail</Link>
        </div>
        {recent.rows.length === 0 ? (
          <p className="card muted">Nothing recorded yet.</p>
        ) : (
          <AuditTable rows={recent.rows} label="Recent activity on this account" />
        )}
      </section>
    </>
  );
}
