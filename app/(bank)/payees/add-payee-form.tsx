"use client";

import { useActionState } from "react";

import { Field, FormMessage } from "@/components/ui/field";
import type { PayeeFormState } from "@/lib/dal/payees";

import { payeeAction } from "./actions";

export function AddPayeeForm({ commandId }: { commandId: string }) {
  const [state, action, pending] = useActionState<PayeeFormState, FormData>(payeeAction, {
    stage: "edit",
    commandId,
    values: { name: "", accountNumber: "" },
  });
  const errors = state.fieldErrors ?? {};
  if (state.stage === "confirm") {
    return (
      <form action={action} className="form" aria-labelledby="confirm-payee-title">
        <h3 id="confirm-payee-title">Is this who you mean?</h3>
        <dl className="review">
          <div>
            <dt>Account holder</dt>
            <dd>
              <strong data-testid="holder-name">{state.holderName}</strong>
              <span className="muted mono"> {state.values.accountNumber}</span>
            </dd>
          </div>
          <div>
            <dt>Saved as</dt>
            <dd>{state.values.name}</dd>
          </div>
        </dl>
        {state.external ? (
          <p className="muted">This account is at another bank, so we cannot confirm its holder: check the IBAN and the name you gave.</p>
        ) : (
          <p className="muted">The bank shows the holder&apos;s name as it has it, partly hidden. If it is not who you expect, go back.</p>
        )}
        <input type="hidden" name="name" value={state.values.name} />
        <input type="hidden" name="accountNumber" value={state.values.accountNumber} />
        <input type="hidden" name="holderName" value={state.holderName} />
        <input type="hidden" name="commandId" value={state.commandId} />
        <div className="actions">
          <button type="submit" name="intent" value="save" className="button" disabled={pending}>
            {pending ? "Saving…" : "Save payee"}
          </button>
          <button type="submit" name="intent" value="edit-again" className="button secondary" formNoValidate disabled={pending}>
            Change details
          </button>
        </div>
      </form>
    );
  }
  return (
    <form action={action} className="form" noValidate aria-label="Add a payee">
      {state.message ? <FormMessage tone={state.stage === "saved" ? "success" : "error"}>{state.message}</FormMessage> : null}
      {errors._form ? <FormMessage tone="error">{errors._form.join(" ")}</FormMessage> : null}
      <input type="hidden" name="commandId" value={state.commandId} />
      <Field id="payee-name" label="Name for this payee" errors={errors.name} hint="Up to 60 characters, just for you.">
        {(props) => <input {...props} name="name" maxLength={60} autoComplete="off" defaultValue={state.values.name} />}
      </Field>
      <Field
        id="payee-number"
        label="Account number or IBAN"
        errors={errors.accountNumber}
        hint="Like LL12 3456 7890 (we show the holder's name before saving), or an IBAN at another bank."
      >
        {(props) => (
          <input {...props} name="accountNumber" autoComplete="off" maxLength={64} className="mono" defaultValue={state.values.accountNumber} />
        )}
      </Field>
      <Field id="payee-holder" label="Account holder's name (another bank only)" errors={errors.holderName}>
        {(props) => <input {...props} name="holderName" autoComplete="off" maxLength={70} defaultValue={state.values.holderName ?? ""} />}
      </Field>
      <button type="submit" name="intent" value="check" className="button" disabled={pending}>
        {pending ? "Checking…" : "Check payee"}
      </button>
    </form>
  );
}
