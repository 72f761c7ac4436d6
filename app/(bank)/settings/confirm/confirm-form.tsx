"use client";

import { useActionState } from "react";
import { Field, FormMessage } from "@/components/ui/field";
import type { SecurityFormState } from "@/lib/dal/security";
import { confirmAction } from "./actions";

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
