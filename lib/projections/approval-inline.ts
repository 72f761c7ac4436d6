import { approvalsView } from "../db/schema";
import { approvalStreams } from "../domain/approval/events";
import { approvalAuditEntry, evolveApprovalView } from "./approval-projection";
import { viewWriter } from "./entity-view";

/** approvals_view and the audit log for a run of one approval's events; the rows after each event. */
export const approvalInline = viewWriter({
  table: approvalsView,
  keyColumn: "approval_id",
  idOf: approvalStreams.idOf,
  evolve: evolveApprovalView,
  audit: approvalAuditEntry,
});
