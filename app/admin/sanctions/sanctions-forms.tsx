"use client";

import { useActionState } from "react";

import { formatUtc } from "@/components/admin/format";
import { Field, FormMessage } from "@/components/ui/field";
import type { SanctionsEntryDto, SanctionsFormState } from "@/lib/dal/admin/sanctions";

import { addSanctionsEntryAction, removeSanctionsEntryAction } from "../actions";

/** Adds a name to the list; the reason is mandatory and kept in the list's history. */
export function AddSanctionsEntryForm() {
  const [state, action, pending] = useActionState<SanctionsFormState, FormData>(addSanctionsEntryAction, { status: "idle" });
  const errors = state.fieldErrors ?? {};
  const keep = state.status === "invalid" || state.status === "error";
  // After a success the inputs start empty again: a new key remounts them.
  const generation = state.status === "success" ? (state.message ?? "") : "";
  return (
    <form action={action} className="form card" aria-labelledby="add-entry-title" noValidate>
      <h2 id="add-entry-title">Add a name</h2>
      {state.message ? <FormMessage tone={state.status === "success" ? "success" : "error"}>{state.message}</FormMessage> : null}
      <Field
        id="sanctions-name"
        label="Name"
        errors={errors.name}
        hint="A person or organisation; matched as whole words in payee names and references."
      >
        {(props) => (
          <input {...props} key={`name-${generation}`} name="name" maxLength={200} autoComplete="off" defaultValue={keep ? state.values?.name : ""} />
        )}
      </Field>
      <Field id="sanctions-reason" label="Reason" errors={errors.reason} hint="Required: the source or decision behind the listing.">
        {(props) => (
          <textarea {...props} key={`reason-${generation}`} name="reason" rows={2} maxLength={500} defaultValue={keep ? state.values?.reason : ""} />
        )}
      </Field>
      <button type="submit" className="button" disabled={pending} aria-disabled={pending}>
        {pending ? "Adding…" : "Add to list"}
      </button>
    </form>
  );
}

/** The list, each entry with its own removal form sharing one outcome message. */
export function SanctionsList({ entries }: { entries: SanctionsEntryDto[] }) {
  const [state, action, pending] = useActionState<SanctionsFormState, FormData>(removeSanctionsEntryAction, { status: "idle" });
  return (
    <>
      {state.message ? <FormMessage tone={state.status === "success" ? "success" : "error"}>{state.message}</FormMessage> : null}
      {entries.length === 0 ? (
        <p className="card muted">The list is empty: no transfer is held by screening.</p>
      ) : (
        <ul className="held-list">
          {entries.map((entry) => {
            const mine = state.entryId === entry.id && state.status === "invalid";
            const titleId = `entry-${entry.id}-title`;
            return (
              <li key={entry.id}>
                <article className="card sanctions-entry" aria-labelledby={titleId}>
                  <h3 id={titleId}>{entry.name}</h3>
                  <p className="muted">
                    Added {formatUtc(entry.addedAt)} by {entry.addedByEmail ?? entry.addedBy}: {entry.reason}
                  </p>
                  <form action={action} className="form inline-form" aria-label={`Remove ${entry.name}`} noValidate>
                    <input type="hidden" name="entryId" value={entry.id} />
                    <Field id={`remove-${entry.id}-reason`} label="Reason" errors={mine ? state.fieldErrors?.reason : undefined}>
                      {(props) => <textarea {...props} name="reason" rows={1} maxLength={500} defaultValue={mine ? state.values?.reason : ""} />}
                    </Field>
                    <button type="submit" className="button secondary" disabled={pending} aria-disabled={pending}>
                      Remove
                    </button>
                  </form>
                </article>
              </li>
            );
          })}
        </ul>
      )}
    </>
  );
}
