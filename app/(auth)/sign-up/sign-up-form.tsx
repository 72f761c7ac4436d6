"use client";

import Link from "next/link";
import { useActionState } from "react";

import { Field, FormMessage } from "@/components/ui/field";

import { signUpAction, type AuthFormState } from "../actions";

export function SignUpForm() {
  const [state, action, pending] = useActionState<AuthFormState, FormData>(signUpAction, {});
  const errors = state.fieldErrors ?? {};
  return (
    <form action={action} className="form" aria-labelledby="sign-up-title" noValidate>
      {state.message ? <FormMessage tone="error">{state.message}</FormMessage> : null}
      <Field id="name" label="Full name" errors={errors.name}>
        {(props) => <input {...props} name="name" autoComplete="name" required defaultValue={state.values?.name} />}
      </Field>
      <Field id="email" label="Email" errors={errors.email}>
        {(props) => <input {...props} name="email" type="email" autoComplete="email" required defaultValue={state.values?.email} />}
      </Field>
      <Field id="password" label="Password" errors={errors.password} hint="At least 10 characters. A few unrelated words make a strong one.">
        {(props) => <input {...props} name="password" type="password" autoComplete="new-password" required minLength={10} />}
      </Field>
      <button type="submit" className="button" disabled={pending} aria-disabled={pending}>
        {pending ? "Creating your account…" : "Create account"}
      </button>
      <p className="muted">
        Already a customer? <Link href="/sign-in">Sign in</Link>
      </p>
    </form>
  );
}
