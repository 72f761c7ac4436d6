"use client";

import { startAuthentication } from "@simplewebauthn/browser";
import { useActionState, useState, useTransition } from "react";

import { Field, FormMessage } from "@/components/ui/field";
import type { SecurityFormState } from "@/lib/dal/security";

import { beginPasskeyConfirmationAction, confirmAction, confirmWithPasskeyAction } from "./actions";

export function ConfirmForm({ next, hasSecondFactor }: { next: string; hasSecondFactor: boolean }) {
  const [state, action, pending] = useActionState<SecurityFormState, FormData>(confirmAction, { status: "idle" });
  return (
    <form action={action} className="form" aria-labelledby="confirm-title" noValidate>
      {state.message ? <FormMessage tone="error">{state.message}</FormMessage> : null}
      <input type="hidden" name="next" value={next} />
      <Field id="confirm-password" label="Password">
        {(props) => <input {...props} name="password" type="password" autoComplete="current-password" maxLength={1024} />}
      </Field>
      {hasSecondFactor ? (
        <Field id="confirm-code" label="Or a code from your authenticator app">
          {(props) => <input {...props} name="code" inputMode="numeric" autoComplete="one-time-code" maxLength={40} />}
        </Field>
      ) : null}
      <button type="submit" className="button" disabled={pending} aria-disabled={pending}>
        {pending ? "Checking…" : "Confirm"}
      </button>
    </form>
  );
}

/** Confirms with a passkey instead of the password: the server checks it and sends the user on. */
export function ConfirmWithPasskey({ next }: { next: string }) {
  const [message, setMessage] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  const confirm = () =>
    startTransition(async () => {
      setMessage(null);
      const begun = await beginPasskeyConfirmationAction();
      if (!begun.ok) return setMessage(begun.message);
      let response;
      try {
        response = await startAuthentication({ optionsJSON: begun.options });
      } catch {
        return setMessage("No passkey was used. Try again, or use your password.");
      }
      const form = new FormData();
      form.set("attempt", begun.attempt);
      form.set("response", JSON.stringify(response));
      form.set("next", next);
      const state = await confirmWithPasskeyAction(form);
      if (state.message) setMessage(state.message);
    });
  return (
    <div className="form">
      {message ? <FormMessage tone="error">{message}</FormMessage> : null}
      <button type="button" className="button secondary" onClick={confirm} disabled={pending} aria-disabled={pending}>
        {pending ? "Waiting for your passkey…" : "Confirm with a passkey"}
      </button>
    </div>
  );
}
