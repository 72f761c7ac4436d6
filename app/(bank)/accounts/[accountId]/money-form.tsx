"use client";

import { useActionState } from "react";

import { Field, FormMessage } from "@/components/ui/field";
import type { MoneyFormState } from "@/lib/dal/account-commands";

import { depositAction, withdrawAction } from "../actions";

/**
 * Deposit or withdraw. The command id comes from the server with the form and changes only after
 * the command was recorded, so a double click or a resent form has one effect.
 */
export function MoneyForm({
  kind,
  accountId,
  currency,
  commandId,
  disabledReason,
}: {
  kind: "deposit" | "withdrawal";
  accountId: string;
  currency: string;
  commandId: string;
  disabledReason?: string;
}) {
  const [state, action, pending] = useActionState<MoneyFormState, FormData>(kind === "deposit" ? depositAction : withdrawAction, {
    status: "idle",
    commandId,
  });

  const prefix = kind === "deposit" ? "deposit" : "withdraw";
  const title = kind === "deposit" ? "Deposit" : "Withdraw";
  const errors = state.fieldErrors ?? {};
  // After a recorded command the inputs start empty again (a new key remounts them).
  const keepValues = state.status === "invalid" || state.status === "error";
  return (
    <form action={action} className="form money-form" aria-labelledby={`${prefix}-title`} noValidate>
      <h2 id={`${prefix}-title`}>{title}</h2>
      {state.message ? (
        <FormMessage tone={state.status === "success" ? "success" : state.status === "rejected" ? "warning" : "error"}>{state.message}</FormMessage>
      ) : null}
      <input type="hidden" name="accountId" value={accountId} />
      <input type="hidden" name="commandId" value={state.commandId} />
      <Field id={`${prefix}-amount`} label={`Amount (${currency})`} errors={errors.amount}>
        {(props) => (
          <input
            {...props}
            key={`${state.commandId}-amount`}
            name="amount"
            inputMode="decimal"
            autoComplete="off"
            placeholder="0.00"
            defaultValue={keepValues ? state.values?.amount : ""}
            disabled={Boolean(disabledReason)}
          />
        )}
      </Field>
      <Field id={`${prefix}-reference`} label="Reference (optional)" errors={errors.reference}>
        {(props) => (
          <input
            {...props}
            key={`${state.commandId}-reference`}
            name="reference"
            maxLength={140}
            autoComplete="off"
            defaultValue={keepValues ? state.values?.reference : ""}
            disabled={Boolean(disabledReason)}
          />
        )}
      </Field>
      {disabledReason ? <p className="muted">{disabledReason}</p> : null}
      <button type="submit" className="button" disabled={pending || Boolean(disabledReason)} aria-disabled={pending || Boolean(disabledReason)}>
        {pending ? (kind === "deposit" ? "Depositing…" : "Withdrawing…") : title}
      </button>
    </form>
  );
}
