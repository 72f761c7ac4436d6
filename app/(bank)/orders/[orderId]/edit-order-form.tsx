"use client";

import { useActionState } from "react";

import { Field, FormMessage, SelectField } from "@/components/ui/field";
import type { EditOrderFormState, OrderFormValues } from "@/lib/dal/orders";

import { editOrderAction } from "../actions";
import { REPEAT_CHOICES } from "../schedule-text";

/** New terms for the payments to come: amount, reference and the schedule (which starts afresh). */
export function EditOrderForm({ orderId, initial }: { orderId: string; initial: OrderFormValues }) {
  const [state, action, pending] = useActionState<EditOrderFormState, FormData>(editOrderAction, { values: initial });
  const errors = state.fieldErrors ?? {};
  const values = state.values;
  return (
    <form action={action} className="form" noValidate aria-label="Change future payments">
      {state.message ? <FormMessage tone={state.saved ? "success" : "error"}>{state.message}</FormMessage> : null}
      <input type="hidden" name="orderId" value={orderId} />
      <Field id="edit-amount" label="Amount" errors={errors.amount}>
        {(props) => <input {...props} name="amount" inputMode="decimal" autoComplete="off" defaultValue={values.amount} />}
      </Field>
      <Field id="edit-reference" label="Reference (optional)" errors={errors.reference}>
        {(props) => <input {...props} name="reference" maxLength={140} autoComplete="off" defaultValue={values.reference} />}
      </Field>
      <SelectField id="edit-kind" name="kind" label="Repeat" errors={errors.kind} options={REPEAT_CHOICES} defaultValue={values.kind} />
      <Field id="edit-date" label="First payment date" errors={errors.date} hint="From today on; the new schedule starts afresh.">
        {(props) => <input {...props} name="date" type="date" defaultValue={values.date} />}
      </Field>
      <div className="when-monthly">
        <Field id="edit-dayOfMonth" label="Day of the month" errors={errors.dayOfMonth}>
          {(props) => <input {...props} name="dayOfMonth" type="number" min={1} max={31} defaultValue={values.dayOfMonth} />}
        </Field>
      </div>
      <div className="when-repeating">
        <Field id="edit-endDate" label="Last date (optional)" errors={errors.endDate}>
          {(props) => <input {...props} name="endDate" type="date" defaultValue={values.endDate} />}
        </Field>
        <Field id="edit-count" label="Number of payments (optional)" errors={errors.count}>
          {(props) => <input {...props} name="count" type="number" min={1} max={520} defaultValue={values.count} />}
        </Field>
      </div>
      <Field id="edit-timeZone" label="Time zone" errors={errors.timeZone}>
        {(props) => <input {...props} name="timeZone" autoComplete="off" maxLength={64} defaultValue={values.timeZone} />}
      </Field>
      <button type="submit" className="button" disabled={pending} aria-disabled={pending}>
        {pending ? "Saving…" : "Save changes"}
      </button>
    </form>
  );
}
