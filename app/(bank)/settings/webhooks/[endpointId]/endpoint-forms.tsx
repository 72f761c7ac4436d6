"use client";

import { useActionState } from "react";

import { FormMessage } from "@/components/ui/field";
import type { ReplayFormState, RotateFormState } from "@/lib/dal/webhooks";

import { replayWebhookAction, rotateSecretAction } from "../actions";

export function ReplayForm({ endpointId, today }: { endpointId: string; today: string }) {
  const [state, action, pending] = useActionState<ReplayFormState, FormData>(replayWebhookAction, { status: "idle" });
  return (
    <form action={action} className="form" aria-label="Replay deliveries">
      {state.message ? <FormMessage tone={state.status === "done" ? "success" : "error"}>{state.message}</FormMessage> : null}
      <input type="hidden" name="endpointId" value={endpointId} />
      <label htmlFor="replay-from">Send again every delivery since (UTC date)</label>
      <input id="replay-from" name="from" type="date" max={today} defaultValue={today} required />
      <button type="submit" className="button secondary" disabled={pending} aria-disabled={pending}>
        {pending ? "Replaying…" : "Replay"}
      </button>
    </form>
  );
}

export function RotateForm({ endpointId }: { endpointId: string }) {
  const [state, action, pending] = useActionState<RotateFormState, FormData>(rotateSecretAction, { status: "idle" });
  return (
    <form action={action} className="form" aria-label="Rotate the signing secret">
      {state.status === "rotated" && state.secret ? (
        <div className="notice notice-success" role="status">
          <p>
            New secret made. For the next 24 hours deliveries carry signatures with both the old and the new secret. Copy it now: it is not shown
            again.
          </p>
          <label htmlFor="rotated-secret">New signing secret</label>
          <input id="rotated-secret" className="mono" readOnly value={state.secret} onFocus={(event) => event.currentTarget.select()} />
        </div>
      ) : null}
      {state.status === "error" && state.message ? <FormMessage tone="error">{state.message}</FormMessage> : null}
      <input type="hidden" name="endpointId" value={endpointId} />
      <button type="submit" className="button secondary" disabled={pending} aria-disabled={pending}>
        {pending ? "Rotating…" : "Rotate secret"}
      </button>
    </form>
  );
}
