"use client";

import { useActionState } from "react";

import { Field, FormMessage } from "@/components/ui/field";
import type { RegisterWebhookFormState } from "@/lib/dal/webhooks";

import { registerWebhookAction } from "./actions";

export function RegisterWebhookForm({ commandId }: { commandId: string }) {
  const [state, action, pending] = useActionState<RegisterWebhookFormState, FormData>(registerWebhookAction, { status: "idle" });
  return (
    <>
      {state.status === "created" && state.secret ? (
        <div className="notice notice-success" role="status">
          <p>
            Webhook registered. Copy its signing secret now: it is not shown again.{" "}
            <a href={`/settings/webhooks/${state.endpointId}`}>See its deliveries</a>.
          </p>
          <label htmlFor="new-secret">Signing secret</label>
          <input id="new-secret" className="mono" readOnly value={state.secret} onFocus={(event) => event.currentTarget.select()} />
        </div>
      ) : null}
      <form action={action} className="form" aria-label="Register a webhook" noValidate>
        {state.message ? <FormMessage tone="error">{state.message}</FormMessage> : null}
        <input type="hidden" name="commandId" value={state.commandId ?? commandId} />
        <Field
          id="webhook-url"
          label="Endpoint URL"
          errors={state.fieldErrors?.url}
          hint="An https:// address on the public internet that accepts POST."
        >
          {(props) => <input {...props} name="url" type="url" maxLength={2000} required defaultValue={state.values?.url} />}
        </Field>
        <Field id="webhook-description" label="Description" errors={state.fieldErrors?.description} hint="What it is for, like Accounting sync.">
          {(props) => <input {...props} name="description" maxLength={100} required defaultValue={state.values?.description} />}
        </Field>
        <button type="submit" className="button" disabled={pending} aria-disabled={pending}>
          {pending ? "Registering…" : "Register webhook"}
        </button>
      </form>
    </>
  );
}
