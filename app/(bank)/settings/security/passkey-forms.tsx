"use client";

import { startRegistration } from "@simplewebauthn/browser";
import { useActionState, useState, useTransition } from "react";

import { Field, FormMessage } from "@/components/ui/field";
import type { SecurityFormState } from "@/lib/dal/security";

import { beginPasskeyRegistrationAction, finishPasskeyRegistrationAction, removePasskeyAction, renamePasskeyAction } from "./actions";

/** Adds a passkey: the server's options, the browser's ceremony, then the server checks and stores it. */
export function AddPasskeyForm() {
  const [state, setState] = useState<SecurityFormState>({ status: "idle" });
  const [pending, startTransition] = useTransition();
  const add = (formData: FormData) =>
    startTransition(async () => {
      const begun = await beginPasskeyRegistrationAction();
      if (!begun.ok) return setState({ status: "error", message: begun.message });
      let response;
      try {
        response = await startRegistration({ optionsJSON: begun.options });
      } catch {
        return setState({ status: "error", message: "No passkey was made (cancelled, or this device already has one for your account)." });
      }
      formData.set("attempt", begun.attempt);
      formData.set("response", JSON.stringify(response));
      setState(await finishPasskeyRegistrationAction(formData));
    });
  return (
    <form action={add} className="form" aria-label="Add a passkey" noValidate>
      {state.message ? <FormMessage tone={state.status === "done" ? "success" : "error"}>{state.message}</FormMessage> : null}
      <Field
        id="passkey-name"
        label="Name for the new passkey"
        hint="So you can tell your passkeys apart, e.g. “Work laptop”."
        errors={state.fieldErrors?.name}
      >
        {(props) => <input {...props} name="name" maxLength={60} required defaultValue="Passkey" />}
      </Field>
      <button type="submit" className="button" disabled={pending} aria-disabled={pending}>
        {pending ? "Waiting for your passkey…" : "Add a passkey"}
      </button>
    </form>
  );
}

export function RenamePasskeyForm({ passkeyId, name }: { passkeyId: string; name: string }) {
  const [state, action, pending] = useActionState<SecurityFormState, FormData>(renamePasskeyAction, { status: "idle" });
  return (
    <form action={action} className="inline-form" aria-label={`Rename passkey ${name}`} noValidate>
      <input type="hidden" name="passkeyId" value={passkeyId} />
      <label className="visually-hidden" htmlFor={`rename-${passkeyId}`}>
        New name for {name}
      </label>
      <input
        id={`rename-${passkeyId}`}
        name="name"
        defaultValue={name}
        maxLength={60}
        required
        aria-invalid={state.fieldErrors?.name ? true : undefined}
      />
      <button type="submit" className="button small secondary" disabled={pending} aria-disabled={pending}>
        Rename
      </button>
      {state.status === "invalid" || state.status === "error" ? (
        <span className="field-error" role="alert">
          {state.fieldErrors?.name?.[0] ?? state.message}
        </span>
      ) : null}
    </form>
  );
}

export function RemovePasskeyForm({ passkeyId, name }: { passkeyId: string; name: string }) {
  const [state, action, pending] = useActionState<SecurityFormState, FormData>(removePasskeyAction, { status: "idle" });
  return (
    <form action={action} className="inline-form" aria-label={`Remove passkey ${name}`}>
      <input type="hidden" name="passkeyId" value={passkeyId} />
      <button type="submit" className="button small secondary" disabled={pending} aria-disabled={pending}>
        Remove
      </button>
      {state.status === "error" ? (
        <span className="field-error" role="alert">
          {state.message}
        </span>
      ) : null}
    </form>
  );
}
