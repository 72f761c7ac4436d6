import type { Currency } from "../shared/currency";
import type { Message } from "../shared/decider";
import { streamIds } from "../shared/stream-id";

/**
 * Four eyes: an admin action that needs a second admin (releasing a large sanctions-held transfer,
 * lifting a fraud freeze) is first an approval request, one stream per subject. Another admin grants
 * it (the action is performed in the same transaction) or declines it; a declined subject may be
 * asked for again, which opens the next round.
 */
export const APPROVAL_STREAM_TYPE = "approval";
export const approvalStreams = streamIds(APPROVAL_STREAM_TYPE);
export const approvalStreamId = approvalStreams.of;

/** Releases of held transfers above this many minor units need a second admin, unless configured otherwise. */
export const DEFAULT_APPROVAL_THRESHOLD = 100_000n;

/** Whether releasing a held transfer of this amount needs a second admin ("above" the threshold). */
export const releaseNeedsApproval = (amount: bigint, threshold: bigint) => amount > threshold;

export const APPROVAL_KINDS = ["release_transfer", "unfreeze_account"] as const;
export type ApprovalKind = (typeof APPROVAL_KINDS)[number];

/** Labels for the kinds, for the back office. */
export const APPROVAL_KIND_LABELS: Record<ApprovalKind, string> = {
  release_transfer: "Release a held transfer",
  unfreeze_account: "Lift a fraud freeze",
};

/** Why an approve or decline was refused (recorded, so the attempt is in the audit trail). */
export const APPROVAL_REFUSAL_CODES = ["SAME_ADMIN", "OWN_ITEM"] as const;
export type ApprovalRefusalCode = (typeof APPROVAL_REFUSAL_CODES)[number];

/** What is to be done, as the first admin asked for it. */
export type ApprovalSubject = {
  approvalId: string;
  kind: ApprovalKind;
  /** The transfer or account the action is on. */
  subjectId: string;
  /** The account the action concerns (a transfer's source), for the audit trail's filter. */
  accountId: string;
  /** Everyone who owns a side of the subject: none of them may approve (no admin acts on their own). */
  ownerIds: string[];
  /** The money at stake (a transfer's amount); null for an unfreeze. */
  amount: bigint | null;
  currency: Currency | null;
  /** One line for the queue, e.g. "Release 1,500.00 EUR from A to B". */
  description: string;
};

export type ApprovalRequestedData = ApprovalSubject & { round: number; requestedBy: string; reason: string };

export type ApprovalRequested = Message<"ApprovalRequested", ApprovalRequestedData>;
export type ApprovalGranted = Message<"ApprovalGranted", { round: number; reason: string }>;
export type ApprovalDeclined = Message<"ApprovalDeclined", { round: number; reason: string }>;
export type ApprovalRefused = Message<
  "ApprovalRefused",
  { round: number; decision: "approve" | "decline"; code: ApprovalRefusalCode; reason: string }
>;

export type ApprovalEvent = ApprovalRequested | ApprovalGranted | ApprovalDeclined | ApprovalRefused;

export type RequestApproval = Message<"RequestApproval", ApprovalSubject & { requestedBy: string; reason: string }>;
/** `round` is the request the admin saw: a form for a declined round cannot approve the next one. */
export type DecideApproval = Message<"DecideApproval", { decision: "approve" | "decline"; round: number; adminId: string; reason: string }>;
export type ApprovalCommand = RequestApproval | DecideApproval;

export type ApprovalStatus = "Pending" | "Granted" | "Declined";
export type ApprovalState = { status: "None" } | { status: ApprovalStatus; request: ApprovalRequestedData };
