"use client";

import { useActionState } from "react";

import { Field, FormMessage, SelectField } from "@/components/ui/field";
import type { TransferFormState } from "@/lib/dal/transfers";

import { transferAction } from "../actions";

type AccountOption = { id: string; label: string; currency: string; status: string };

type PayeeOption = { id: string; label: string };

export function TransferForm({
  accounts,
  payees = [],
  commandId,
  fromAccountId,
  payeeId,
}: {
  accounts: AccountOption[];
  payees?: PayeeOption[];
  commandId: string;
  fromAccountId?: string;
  payeeId?: string;
}) {
  const [state, action, pending] = useActionState<TransferFormState, FormData>(transferAction, {
    stage: "edit",
    commandId,
    values: {
      fromAccountId: fromAccountId ?? accounts[0]?.id ?? "",
      destination: payeeId ? "payee" : "other",
      toAccountId: "",
      payeeId: payeeId ?? payees[0]?.id ?? "",
      toAccountNumber: "",
      toIban: "",
      payeeName: "",
      amount: "",
      reference: "",
    },
  });
  const errors = state.fieldErrors ?? {};
  const values = state.values;

  if (state.stage === "confirm" && state.review) {
    return (
      <form action={action} className="form" aria-labelledby="review-title">
        <h2 id="review-title">Check and confirm</h2>
        <dl className="review">
          <div>
            <dt>Pay</dt>
            <dd className="big">{state.review.amount}</dd>
          </div>
          <div>
            <dt>To</dt>
            <dd>
              <strong data-testid="payee-name">{state.review.payeeName}</strong>
              <span className="muted mono"> {state.review.payeeNumber}</span>
            </dd>
          </div>
          <div>
            <dt>From</dt>
            <dd>{state.review.fromLabel}</dd>
          </div>
          {values.reference ? (
            <div>
              <dt>Reference</dt>
              <dd>{values.reference}</dd>
            </div>
          ) : null}
        </dl>
        {state.review.external ? (
          <p className="muted">
            This goes to another bank through the payment scheme. Check the IBAN and name: the receiving bank may send the payment back, and then the
            money is available to you again.
          </p>
        ) : (
          <p className="muted">If the name is not who you expect, go back: money sent to the wrong account may not come back.</p>
        )}
        {Object.entries(values).map(([key, value]) => (
          <input key={key} type="hidden" name={key} value={value} />
        ))}
        <input type="hidden" name="commandId" value={state.commandId} />
        <div className="actions">
          <button type="submit" name="intent" value="confirm" className="button" disabled={pending} aria-disabled={pending}>
            {pending ? "Sending…" : "Confirm transfer"}
          </button>
          <button type="submit" name="intent" value="edit-again" className="button secondary" formNoValidate disabled={pending}>
            Change details
          </button>
        </div>
      </form>
    );
  }

  return (
    <form action={action} className="form" aria-labelledby="transfer-title" noValidate>
      <h2 id="transfer-title" className="visually-hidden">
        Transfer details
      </h2>
      {state.message ? <FormMessage tone="error">{state.message}</FormMessage> : null}
      <input type="hidden" name="commandId" value={state.commandId} />
      <SelectField id="fromAccountId" label="From" errors={errors.fromAccountId} options={accounts} defaultValue={values.fromAccountId} />
      {/* Uncontrolled radios: React resets the form after each action, and CSS (:has) shows the
          field that goes with the checked one, so the two can never disagree. */}
      <fieldset className="choice">
        <legend>To</legend>
        {payees.length > 0 ? (
          <label>
            <input type="radio" name="destination" value="payee" defaultChecked={values.destination === "payee"} /> A saved payee
          </label>
        ) : null}
        <label>
          <input type="radio" name="destination" value="other" defaultChecked={values.destination === "other"} /> Someone else&apos;s account
        </label>
        <label>
          <input type="radio" name="destination" value="own" defaultChecked={values.destination === "own"} /> One of my accounts
        </label>
        <label>
          <input type="radio" name="destination" value="bank" defaultChecked={values.destination === "bank"} /> An account at another bank
        </label>
      </fieldset>
      {payees.length > 0 ? (
        <div className="when-payee">
          <SelectField id="payeeId" label="Payee" errors={errors.payeeId} options={payees} defaultValue={values.payeeId} />
        </div>
      ) : null}
      <div className="when-other">
        <Field
          id="toAccountNumber"
          label="Payee's account number"
          errors={errors.toAccountNumber}
          hint="Like LL12 3456 7890. We show the payee's name before you confirm."
        >
          {(props) => <input {...props} name="toAccountNumber" autoComplete="off" defaultValue={values.toAccountNumber} className="mono" />}
        </Field>
      </div>
      <div className="when-bank">
        <Field id="toIban" label="IBAN" errors={errors.toIban} hint="Like DE89 3704 0044 0532 0130 00. We check its check digits.">
          {(props) => <input {...props} name="toIban" autoComplete="off" maxLength={64} defaultValue={values.toIban} className="mono" />}
        </Field>
        <Field id="payeeName" label="Account holder's name" errors={errors.payeeName}>
          {(props) => <input {...props} name="payeeName" autoComplete="off" maxLength={70} defaultValue={values.payeeName} />}
        </Field>
      </div>
      <div className="when-own">
        <SelectField
          id="toAccountId"
          label="Into"
          errors={errors.toAccountId}
          empty="Choose an account"
          options={accounts}
          defaultValue={values.toAccountId}
        />
      </div>
      <Field id="amount" label="Amount" errors={errors.amount}>
        {(props) => <input {...props} name="amount" inputMode="decimal" autoComplete="off" placeholder="0.00" defaultValue={values.amount} />}
      </Field>
      <Field id="reference" label="Reference (optional)" errors={errors.reference} hint="The payee sees this on their statement.">
        {(props) => <input {...props} name="reference" maxLength={140} autoComplete="off" defaultValue={values.reference} />}
      </Field>
      <button type="submit" name="intent" value="review" className="button" disabled={pending} aria-disabled={pending}>
        {pending ? "Checking…" : "Continue"}
      </button>
    </form>
  );
}
