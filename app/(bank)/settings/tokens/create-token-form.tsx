"use client";

import { useActionState } from "react";

import { Field, FormMessage } from "@/components/ui/field";
import { When } from "@/components/ui/formatting";
import type { CreateTokenFormState } from "@/lib/dal/api-tokens";

import { createTokenAction } from "./actions";

const LIFETIMES = [
  ["1", "1 day"],
  ["7", "7 days"],
  ["30", "30 days"],
  ["90", "90 days"],
  ["365", "1 year"],
] as const;

const SCOPES = [
  ["full", "Full access: read, move money, manage webhooks"],
  ["read", "Read only: accounts, statements, transfers, events"],
  ["webhooks", "Webhooks: read, and manage webhook endpoints"],
] as const;

export function CreateTokenForm({ commandId }: { commandId: string }) {
  const [state, action, pending] = useActionState<CreateTokenFormState, FormData>(createTokenAction, { status: "idle" });
  return (
    <>
      {state.status === "created" && state.token ? (
        <div className="notice notice-success" role="status">
          <p>
            Token <strong>{state.name}</strong> created; it works until <When at={state.expiresAt ?? ""} style="date" />. Copy it now: it is not shown
            again.
          </p>
          <label htmlFor="new-token">Your new token</label>
          <input id="new-token" className="mono" readOnly value={state.token} onFocus={(event) => event.currentTarget.select()} />
        </div>
      ) : null}
      <form action={action} className="form" aria-label="Create a token" noValidate>
        {state.message ? <FormMessage tone="error">{state.message}</FormMessage> : null}
        {/* A resent form makes one token: the command id names it (a new id after each submit). */}
        <input type="hidden" name="commandId" value={state.commandId ?? commandId} />
        <Field id="token-name" label="Name" errors={state.fieldErrors?.name} hint="What the token is for, like Budget script.">
          {(props) => <input {...props} name="name" maxLength={60} required defaultValue={state.values?.name} />}
        </Field>
        <Field id="token-lifetime" label="Expires after" errors={state.fieldErrors?.lifetimeDays}>
          {(props) => (
            <select {...props} name="lifetimeDays" defaultValue={state.values?.lifetimeDays ?? "30"}>
              {LIFETIMES.map(([days, label]) => (
                <option key={days} value={days}>
                  {label}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field
          id="token-scope"
          label="What it may do"
          errors={state.fieldErrors?.scope}
          hint="Give an integration that only listens a read-only or webhooks token: it cannot move money."
        >
          {(props) => (
            <select {...props} name="scope" defaultValue={state.values?.scope ?? "full"}>
              {SCOPES.map(([scope, label]) => (
                <option key={scope} value={scope}>
                  {label}
                </option>
              ))}
            </select>
          )}
        </Field>
        <button type="submit" className="button" disabled={pending} aria-disabled={pending}>
          {pending ? "Creating…" : "Create token"}
        </button>
      </form>
    </>
  );
}
