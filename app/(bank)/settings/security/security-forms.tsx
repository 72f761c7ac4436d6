"use client";

import { useActionState } from "react";

import { Field, FormMessage } from "@/components/ui/field";
import type { SecurityFormState } from "@/lib/dal/security";

import { changePasswordAction, enrolTotpAction, removeTotpAction } from "./actions";

export function EnrolTotpForm({ secret, qrDataUrl }: { secret: string; qrDataUrl: string }) {
  const [state, action, pending] = useActionState<SecurityFormState, FormData>(enrolTotpAction, { status: "idle" });
  if (state.status === "done" && state.recoveryCodes) {
    return (
      <div className="notice notice-success" role="status">
        <p>{state.message}</p>
        <p>
          <strong>Recovery codes.</strong> Each works once, instead of a code from your app, if you lose your phone. Keep them somewhere safe: they
          are not shown again.
        </p>
        <ul className="mono" aria-label="Recovery codes">
          {state.recoveryCodes.map((code) => (
            <li key={code}>{code}</li>
          ))}
        </ul>
      </div>
    );
  }
  return (
    <form action={action} className="form" aria-label="Set up an authenticator app" noValidate>
      {state.message ? <FormMessage tone="error">{state.message}</FormMessage> : null}
      <p>Scan this code with an authenticator app (or type the key below into it), then enter the six digits it shows.</p>
      {/* eslint-disable-next-line @next/next/no-img-element -- a data URL made on the server, nothing to optimise */}
      <img src={qrDataUrl} alt="QR code to scan with your authenticator app" width={200} height={200} />
      <p>
        Key:{" "}
        <code className="mono" aria-label="Setup key">
          {secret}
        </code>
      </p>
      <input type="hidden" name="secret" value={secret} />
      <Field id="totp-code" label="Code from your app" errors={state.fieldErrors?.code}>
        {(props) => <input {...props} name="code" inputMode="numeric" autoComplete="one-time-code" maxLength={12} required />}
      </Field>
      <button type="submit" className="button" disabled={pending} aria-disabled={pending}>
        {pending ? "Checking…" : "Turn on"}
      </button>
    </form>
  );
}

export function RemoveTotpForm() {
  const [state, action, pending] = useActionState<SecurityFormState>(removeTotpAction, { status: "idle" });
  return (
    <form action={action} className="form" aria-label="Remove the authenticator app">
      {state.message ? <FormMessage tone={state.status === "done" ? "success" : "error"}>{state.message}</FormMessage> : null}
      <button type="submit" className="button secondary" disabled={pending} aria-disabled={pending}>
        Remove authenticator app
      </button>
    </form>
  );
}

export function ChangePasswordForm() {
  const [state, action, pending] = useActionState<SecurityFormState, FormData>(changePasswordAction, { status: "idle" });
  return (
    <form action={action} className="form" aria-label="Change your password" noValidate>
      {state.message ? <FormMessage tone={state.status === "done" ? "success" : "error"}>{state.message}</FormMessage> : null}
      <Field id="current-password" label="Current password" errors={state.fieldErrors?.currentPassword}>
        {(props) => <input {...props} name="currentPassword" type="password" autoComplete="current-password" maxLength={1024} required />}
      </Field>
      <Field
        id="new-password"
        label="New password"
        errors={state.fieldErrors?.newPassword}
        hint="At least 10 characters; a few unrelated words work well."
      >
        {(props) => <input {...props} name="newPassword" type="password" autoComplete="new-password" maxLength={128} required />}
      </Field>
      <button type="submit" className="button" disabled={pending} aria-disabled={pending}>
        {pending ? "Changing…" : "Change password"}
      </button>
    </form>
  );
}
