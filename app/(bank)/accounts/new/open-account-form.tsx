"use client";

import { useActionState } from "react";

import { Field, FormMessage } from "@/components/ui/field";
import type { OpenAccountFormState } from "@/lib/dal/account-commands";
import { CURRENCIES, CURRENCY_CODES } from "@/lib/domain/shared/currency";

import { openAccountAction } from "../actions";

// Every currency an account may hold, from the one list the command checks against.
const CHOICES = CURRENCY_CODES.map((code) => [code, `${CURRENCIES[code].name} (${code})`] as const);

export function OpenAccountForm({ commandId }: { commandId: string }) {
  const [state, action, pending] = useActionState<OpenAccountFormState, FormData>(openAccountAction, { status: "idle" });
  return (
    <form action={action} className="form" noValidate>
      {state.message ? <FormMessage tone="error">{state.message}</FormMessage> : null}
      {/* A form sent twice opens one account: the command id names it. */}
      <input type="hidden" name="commandId" value={state.commandId ?? commandId} />
      <Field id="currency" label="Currency" errors={state.fieldErrors?.currency} hint="An account holds one currency.">
        {(props) => (
          <select {...props} name="currency" defaultValue={state.values?.currency ?? "EUR"} required>
            {CHOICES.map(([code, label]) => (
              <option key={code} value={code}>
                {label}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field id="nickname" label="Nickname (optional)" errors={state.fieldErrors?.nickname} hint="For example Everyday or Holiday savings.">
        {(props) => <input {...props} name="nickname" maxLength={40} defaultValue={state.values?.nickname} />}
      </Field>
      <button type="submit" className="button" disabled={pending} aria-disabled={pending}>
        {pending ? "Opening…" : "Open account"}
      </button>
    </form>
  );
}
