"use client";

import Link from "next/link";
import { useActionState } from "react";
import { Field, FormMessage } from "@/components/ui/field";
import { type AuthFormState, signInAction } from "../actions";

export function SignInForm({ next }: { next?: string }) {
  const [state, action, pending] = useActionState<AuthFormState, FormData>(signInAction, {});
  if (state.step === "code" && state.challenge) {
    return (
      <form action={action} className="form" aria-labelledby="sign-in-title" noValidate>
        {state.message ? <FormMessage tone="error">{state.message}</FormMessage> : null}
        <input type="hidden" name="challenge" value={state.challenge} />
        <input type="hidden" name="next" value={state.next ?? next ?? "/dashboard"} />
        <Field id="code" label="Authentication code" hint="The six digits your authenticator app shows, or one of your recovery codes.">
          {(props) => <input {...props} name="code" inputMode="text" autoComplete="one-time-code" maxLength={40} required autoFocus />}
        </Field>
        <button type="submit" className="button" disabled={pending} aria-disabled={pending}>
          {pending ? "Checking…" : "Verify"}
        </button>
        <p className="muted">
          Not you? <Link href="/sign-in">Start again</Link>
        </p>
      </form>
    );
  }
  return (
    <form action={action} className="form" aria-labelledby="sign-in-title" noValidate>
      {state.message ? <FormMessage tone="error">{state.message}</FormMessage> : null}
      <input type="hidden" name="next" value={next ?? "/dashboard"} />
      <Field id="email" label="Email">
        {(props) => <input {...props} name="email" type="email" autoComplete="email" required defaultValue={state.values?.email} />}
      </Field>
      <Field id="password" label="Password">
        {(props) => <input {...props} name="password" type="password" autoComplete="current-password" required />}
      </Field>
      <button type="submit" className="button" disabled={pending} aria-disabled={pending}>
        {pending ? "Signing in…" : "Sign in"}
      </button>
      <p className="muted">
        <Link href="/forgot-password">Forgot password?</Link>
      </p>
      <p className="muted">
        New to Ledgerline? <Link href="/sign-up">Create an account</Link>
      </p>
    </form>
  );
}
