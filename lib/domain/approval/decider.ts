import type { Decider } from "../shared/decider";
import { assertNever, DomainError } from "../shared/errors";
import type { ApprovalCommand, ApprovalEvent, ApprovalState, DecideApproval, RequestApproval } from "./events";

/** The refusals' words, for the audit trail and the back office. */
export const APPROVAL_REFUSAL_TEXT = {
  SAME_ADMIN: "The admin who asked for this cannot approve or decline it; another admin must.",
  OWN_ITEM: "Admins cannot approve or decline actions on their own accounts or transfers; ask another admin.",
} as const;

function request({ data }: RequestApproval, state: ApprovalState): ApprovalEvent[] {
  if (state.status === "Pending") throw new DomainError("APPROVAL_PENDING", "This is already awaiting approval by a second admin.");
  // Granted means the action was performed; a new action on the same subject is a new round.
  const round = state.status === "None" ? 1 : state.request.round + 1;
  return [{ type: "ApprovalRequested", data: { ...data, ownerIds: [...data.ownerIds], round } }];
}

function decide({ data }: DecideApproval, state: ApprovalState): ApprovalEvent[] {
  if (state.status === "None") throw new DomainError("APPROVAL_NOT_FOUND", "No such approval.");
  if (state.status !== "Pending" || state.request.round !== data.round) {
    throw new DomainError("APPROVAL_NOT_PENDING", "This approval was already decided.");
  }
  const refusal = (code: "SAME_ADMIN" | "OWN_ITEM"): ApprovalEvent[] => [
    { type: "ApprovalRefused", data: { round: data.round, decision: data.decision, code, reason: data.reason } },
  ];
  // Four eyes: the second pair must be another admin's, and not one whose own money it is.
  if (data.adminId === state.request.requestedBy) return refusal("SAME_ADMIN");
  if (state.request.ownerIds.includes(data.adminId)) return refusal("OWN_ITEM");
  return data.decision === "approve"
    ? [{ type: "ApprovalGranted", data: { round: data.round, reason: data.reason } }]
    : [{ type: "ApprovalDeclined", data: { round: data.round, reason: data.reason } }];
}

export function decideApproval(command: ApprovalCommand, state: ApprovalState): ApprovalEvent[] {
  switch (command.type) {
    case "RequestApproval":
      return request(command, state);
    case "DecideApproval":
      return decide(command, state);
    default:
      return assertNever(command);
  }
}

export function evolveApproval(state: ApprovalState, event: ApprovalEvent): ApprovalState {
  switch (event.type) {
    case "ApprovalRequested":
      return { status: "Pending", request: event.data };
    case "ApprovalGranted":
      return state.status === "None" ? state : { ...state, status: "Granted" };
    case "ApprovalDeclined":
      return state.status === "None" ? state : { ...state, status: "Declined" };
    case "ApprovalRefused":
      return state;
    default:
      return assertNever(event);
  }
}

export const approvalDecider: Decider<ApprovalCommand, ApprovalEvent, ApprovalState> = {
  decide: decideApproval,
  evolve: evolveApproval,
  initialState: () => ({ status: "None" }),
};
