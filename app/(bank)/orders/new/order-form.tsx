"use client";

import { useActionState, useSyncExternalStore } from "react";

import { Field, FormMessage, SelectField } from "@/components/ui/field";
import type { OrderFormState } from "@/lib/dal/orders";

import { orderAction } from "../actions";
import { REPEAT_CHOICES } from "../schedule-text";

type Option = { id: string; label: string };

const browserTimeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;
const noSubscription = () => () => {};

export function OrderForm({
  commandId,
  accounts,
  payees,
  savedTimeZone,
  payeeId,
}: {
  commandId: string;
  accounts: Option[];
  payees: Option[];
  savedTimeZone: string | null;
  payeeId?: string;
}) {
  // The profile's time zone when there is one; else the browser's (the server cannot know it).
  const detected = useSyncExternalStore(noSubscription, browserTimeZone, () => "UTC");
  const [state, action, pending] = useActionState<OrderFormState, FormData>(orderAction, {
    commandId,
    values: {
      fromAccountId: accounts[0]?.id ?? "",
      payeeId: payeeId ?? payees[0]?.id ?? "",
      toAccountNumber: "",
      amount: "",
      reference: "",
      kind: "monthly",
      date: "",
      dayOfMonth: "1",
      endDate: "",
      count: "",
      timeZone: "",
    },
  });
  const errors = state.fieldErrors ?? {};
  const values = state.values;
  const timeZone = values.timeZone || savedTimeZone || detected;
  return (
    <form action={action} className="form" noValidate aria-label="New order">
      {state.message ? <FormMessage tone="error">{state.message}</FormMessage> : null}
      {errors._form ? <FormMessage tone="error">{errors._form.join(" ")}</FormMessage> : null}
      <input type="hidden" name="commandId" value={state.commandId} />
      <SelectField id="fromAccountId" label="From" errors={errors.fromAccountId} options={accounts} defaultValue={values.fromAccountId} />
      <SelectField
        id="payeeId"
        label="To"
        errors={errors.payeeId}
        hint="A saved payee, or leave this on “Account number” and enter it below."
        empty="Account number"
        options={payees}
        defaultValue={values.payeeId}
      />
      <Field id="toAccountNumber" label="Account number (when not a saved payee)" errors={errors.toAccountNumber}>
        {(props) => <input {...props} name="toAccountNumber" autoComplete="off" className="mono" defaultValue={values.toAccountNumber} />}
      </Field>
      <Field id="amount" label="Amount" errors={errors.amount}>
        {(props) => <input {...props} name="amount" inputMode="decimal" autoComplete="off" placeholder="0.00" defaultValue={values.amount} />}
      </Field>
      <Field id="reference" label="Reference (optional)" errors={errors.reference}>
        {(props) => <input {...props} name="reference" maxLength={140} autoComplete="off" defaultValue={values.reference} />}
      </Field>
      <SelectField id="kind" label="Repeat" errors={errors.kind} options={REPEAT_CHOICES} defaultValue={values.kind} />
      <Field id="date" label="First payment date" errors={errors.date} hint="Paid at 06:00 on the day, in the time zone below.">
        {(props) => <input {...props} name="date" type="date" defaultValue={values.date} />}
      </Field>
      <div className="when-monthly">
        <Field id="dayOfMonth" label="Day of the month" errors={errors.dayOfMonth} hint="In a shorter month, the payment is on its last day.">
          {(props) => <input {...props} name="dayOfMonth" type="number" min={1} max={31} defaultValue={values.dayOfMonth} />}
        </Field>
      </div>
      <div className="when-repeating">
        <Field id="endDate" label="Last date (optional)" errors={errors.endDate}>
          {(props) => <input {...props} name="endDate" type="date" defaultValue={values.endDate} />}
        </Field>
        <Field id="count" label="Number of payments (optional)" errors={errors.count}>
          {(props) => <input {...props} name="count" type="number" min={1} max={520} defaultValue={values.count} />}
        </Field>
      </div>
      <Field id="timeZone" label="Time zone" errors={errors.timeZone} hint="Your setting; the first order you make saves it.">
        {(props) => <input {...props} key={timeZone} name="timeZone" autoComplete="off" maxLength={64} defaultValue={timeZone} />}
      </Field>
      <button type="submit" className="button" disabled={pending} aria-disabled={pending}>
        {pending ? "Setting up…" : "Set up order"}
      </button>
    </form>
  );
}
