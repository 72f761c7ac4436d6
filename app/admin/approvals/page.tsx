import { randomUUID } from "node:crypto";

import type { Metadata } from "next";

import { listPendingApprovals } from "@/lib/dal/admin/approvals";

import { ApprovalQueue } from "./approval-queue";

export const metadata: Metadata = { title: "Approvals" };

export default async function ApprovalsPage() {
  const approvals = await listPendingApprovals();
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Approvals</h1>
          <p className="muted">
            Four eyes: releasing a large held transfer and lifting a fraud freeze need a second admin. Approving does it at once; declining leaves the
            transfer held or the account frozen. The admin who asked cannot decide, nor can an admin whose own money it is.
          </p>
        </div>
        <p className="badge badge-transfer-held" data-testid="approvals-count">
          {approvals.length} waiting
        </p>
      </div>
      <ApprovalQueue approvals={approvals.map((approval) => ({ ...approval, commandId: randomUUID() }))} />
    </>
  );
}
