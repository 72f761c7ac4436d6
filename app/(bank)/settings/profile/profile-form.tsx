"use client";

import { useActionState } from "react";

import { Field, FormMessage } from "@/components/ui/field";
import type { ProfileFormState, ProfileValues } from "@/lib/dal/profile";
import { LOCALE_LABELS, LOCALES } from "@/lib/domain/identity/locales";

import { updateProfileAction } from "./actions";

export function ProfileForm({ values, timeZones, example }: { values: ProfileValues; timeZones: string[]; example: string }) {
  const [state, action, pending] = useActionState<ProfileFormState, FormData>(updateProfileAction, { status: "idle", values });
  const errors = state.fieldErrors ?? {};
  const current = state.values;
  return (
    <form action={action} className="form" noValidate aria-label="Profile">
      {state.status === "saved" ? <FormMessage tone="success">Saved. Dates and amounts now follow your choices.</FormMessage> : null}
      {state.status === "unchanged" ? <FormMessage tone="success">Nothing to change.</FormMessage> : null}
      {state.status === "error" ? <FormMessage tone="error">Some fields need attention.</FormMessage> : null}
      <Field id="name" label="Name" errors={errors.name} hint="How we address you, on pages and statements.">
        {(props) => <input {...props} name="name" autoComplete="name" maxLength={100} defaultValue={current.name} required />}
      </Field>
      <Field id="locale" label="Format dates and amounts as" errors={errors.locale} hint={`Now: ${example}`}>
        {(props) => (
          <select {...props} name="locale" defaultValue={current.locale}>
            {LOCALES.map((locale) => (
              <option key={locale} value={locale}>
                {LOCALE_LABELS[locale]}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field id="timeZone" label="Time zone" errors={errors.timeZone} hint="Dates, statement months and scheduled payments are read in it.">
        {(props) => (
          <select {...props} name="timeZone" defaultValue={current.timeZone}>
            {timeZones.map((zone) => (
              <option key={zone} value={zone}>
                {zone}
              </option>
            ))}
          </select>
        )}
      </Field>
      <button type="submit" className="button" disabled={pending} aria-disabled={pending}>
        {pending ? "Saving…" : "Save"}
      </button>
    </form>
  );
}
