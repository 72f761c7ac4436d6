"use client";

import Link from "next/link";
import { useActionState } from "react";

import { Field, FormMessage } from "@/components/ui/field";
import type { LinkFormState } from "@/lib/dal/email-links";

import { changeEmailAction, forgotPasswordAction, resendVerificationAction, resetPasswordAction } from "./link-actions";

export function ForgotPasswordForm() {
  const [state, action, pending] = useActionState<LinkFormState, FormData>(forgotPasswordAction, { status: "idle" });
  if (state.status === "sent") return <FormMessage tone="success">{state.message}</FormMessage>;
  return (
    <form action={action} className="form" noValidate>
      {state.message ? <FormMessage tone="error">{state.message}</FormMessage> : null}
      <Field id="email" label="Email" errors={state.fieldErrors?.email}>
        {(props) => <input {...props} name="email" type="email" autoComplete="email" maxLength={254} required defaultValue={state.values?.email} />}
      </Field>
      <button type="submit" className="button" disabled={pending} aria-disabled={pending}>
        {pending ? "Sending…" : "Send me a link"}
      </button>
      <p className="muted">
        Remembered it? <Link href="/sign-in">Sign in</Link>
      </p>
    </form>
  );
}

export function ResetPasswordForm({ token }: { token: string }) {
  const [state, action, pending] = useActionState<LinkFormState, FormData>(resetPasswordAction, { status: "idle" });
  if (state.status === "done") {
    return (
      <>
        <FormMessage tone="success">{state.message}</FormMessage>
        <p>
          <Link href="/sign-in" className="button">
            Sign in
          </Link>
        </p>
      </>
    );
  }
  const linkProblem = state.fieldErrors?.token;
  return (
    <form action={action} className="form" noValidate>
      {state.message ? <FormMessage tone="error">{state.message}</FormMessage> : null}
      {linkProblem ? (
        <FormMessage tone="error">
          {linkProblem.join(" ")} <Link href="/forgot-password">Ask for a new link</Link>
        </FormMessage>
      ) : null}
      <input type="hidden" name="token" value={token} />
      <Field
        id="password"
        label="New password"
        hint="At least 10 characters; a passphrase of a few words is good."
        errors={state.fieldErrors?.password}
      >
        {(props) => <input {...props} name="password" type="password" autoComplete="new-password" maxLength={128} required />}
      </Field>
      <button type="submit" className="button" disabled={pending} aria-disabled={pending}>
        {pending ? "Saving…" : "Set new password"}
      </button>
    </form>
  );
}

export function ResendVerificationForm() {
  const [state, action, pending] = useActionState<LinkFormState, FormData>(resendVerificationAction, { status: "idle" });
  return (
    <form action={action} className="inline-form">
      {state.message ? <span role="status">{state.message} </span> : null}
      <button type="submit" className="link-button" disabled={pending} aria-disabled={pending}>
        Send the link again
      </button>
    </form>
  );
}

export function ChangeEmailForm({ current }: { current: string }) {
  const [state, action, pending] = useActionState<LinkFormState, FormData>(changeEmailAction, { status: "idle" });
  return (
    <form action={action} className="form card" noValidate>
      {state.message ? <FormMessage tone={state.status === "sent" ? "success" : "error"}>{state.message}</FormMessage> : null}
      <p className="muted">
        Now: <span className="mono">{current}</span>
      </p>
      <Field id="email" label="New email address" errors={state.fieldErrors?.email}>
        {(props) => <input {...props} name="email" type="email" autoComplete="email" maxLength={254} required defaultValue={state.values?.email} />}
      </Field>
      <button type="submit" className="button" disabled={pending} aria-disabled={pending}>
        {pending ? "Sending…" : "Change address"}
      </button>
    </form>
  );
}
