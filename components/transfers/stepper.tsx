import { When } from "@/components/ui/formatting";
import type { TransferDto } from "@/lib/dal/transfers";

type Stage = { key: string; label: string; state: "done" | "current" | "todo" | "failed" | "waiting"; at?: string; detail?: string };

/** The transfer's steps as a person reads them: requested, screened (or under review), reserved, credited, done. */
export function transferStages(transfer: TransferDto): Stage[] {
  const at = (step: string) => transfer.steps.findLast((s) => s.step === step)?.at;
  const seen = (step: string) => transfer.steps.some((s) => s.step === step);
  const failedAt = transfer.failure?.step;
  const held = transfer.status === "held";
  const stages: Stage[] = [
    { key: "requested", label: "Requested", state: "done", at: at("requested") },
    seen("held")
      ? {
          key: "screened",
          label: held ? "Under review" : seen("released") ? "Reviewed and released" : "Reviewed",
          state: held ? "waiting" : failedAt === "screening" ? "failed" : "done",
          at: at("released") ?? at("held"),
          detail: held ? "Our team is checking this transfer before it goes ahead. No money has moved yet." : undefined,
        }
      : { key: "screened", label: "Screened", state: seen("screened") ? "done" : "current", at: at("screened") },
    {
      key: "reserved",
      label: "Money reserved",
      state: seen("reserved") ? "done" : failedAt === "reserve" ? "failed" : "todo",
      at: at("reserved"),
    },
    ...(transfer.external
      ? schemeStages(transfer, at, seen)
      : [
          {
            key: "credited",
            label: "Payee credited",
            state: seen("credited") ? "done" : failedAt === "credit" ? "failed" : "todo",
            at: at("credited"),
          } satisfies Stage,
        ]),
    transfer.status === "failed"
      ? { key: "final", label: "Failed", state: "failed", at: at("failed"), detail: transfer.failure?.reason }
      : { key: "final", label: "Completed", state: transfer.status === "completed" ? "done" : "todo", at: at("completed") },
  ];
  // The first step not yet done (and not failed) is the one in progress.
  if (!held && transfer.status !== "sent" && transfer.status !== "failed" && transfer.status !== "completed") {
    const next = stages.find((stage) => stage.state === "todo");
    if (next) next.state = "current";
  }
  return stages;
}

/** A payment to another bank: sent to the scheme, then settled or returned by the receiving bank. */
function schemeStages(transfer: TransferDto, at: (step: string) => string | undefined, seen: (step: string) => boolean): Stage[] {
  const waiting = transfer.status === "sent";
  return [
    {
      key: "sent",
      label: "Sent to the receiving bank",
      state: seen("sent") ? "done" : "todo",
      at: at("sent"),
    },
    seen("returned")
      ? {
          key: "settled",
          label: "Returned by the receiving bank",
          state: "failed",
          at: at("returned"),
          detail: "The reserved money is available to you again.",
        }
      : {
          key: "settled",
          label: waiting ? "Waiting for the receiving bank" : "Settled by the receiving bank",
          state: seen("settled") ? "done" : waiting ? "waiting" : "todo",
          at: at("settled"),
          detail: waiting ? "The money is reserved on your account and leaves it when the receiving bank accepts the payment." : undefined,
        },
  ];
}

const MARKS: Record<Stage["state"], string> = { done: "✓", current: "…", todo: "", failed: "✕", waiting: "!" };
const STATE_WORDS: Record<Stage["state"], string> = { done: "done", current: "in progress", todo: "not yet", failed: "failed", waiting: "waiting" };

export function Stepper({ transfer }: { transfer: TransferDto }) {
  return (
    <ol className="stepper" aria-label="Transfer progress">
      {transferStages(transfer).map((stage) => (
        <li key={stage.key} className={`step step-${stage.state}`} data-state={stage.state}>
          <span className="step-mark" aria-hidden="true">
            {MARKS[stage.state]}
          </span>
          <div>
            <p className="step-label">
              {stage.label} <span className="visually-hidden">({STATE_WORDS[stage.state]})</span>
            </p>
            {stage.at ? (
              <p className="muted step-time">
                <When at={stage.at} style="time" />
              </p>
            ) : null}
            {stage.detail ? <p className="step-detail">{stage.detail}</p> : null}
          </div>
        </li>
      ))}
    </ol>
  );
}
