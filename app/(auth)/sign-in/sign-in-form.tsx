"use client";

import { startAuthentication } from "@simplewebauthn/browser";
import Link from "next/link";
import { startTransition, useActionState, useState } from "react";

import { Field, FormMessage } from "@/components/ui/field";

import { signInAction, type AuthFormState } from "../actions";
import { beginPasskeySecondFactorAction } from "../passkey-actions";
import { PasskeySignInButton } from "./passkey-button";

export function SignInForm({ next }: { next?: string }) {
  const [state, action, pending] = useActionState<AuthFormState, FormData>(signInAction, {});
  const [passkeyMessage, setPasskeyMessage] = useState<string | null>(null);
  const [asking, setAsking] = useState(false);
  if (state.step === "code" && state.challenge) {
    const challenge = state.challenge;
    const methods = state.methods ?? { totp: true, passkey: false };
    const target = state.next ?? next ?? "/dashboard";
    // The passkey answers the same second step as a code: same challenge, same action.
    const usePasskey = async () => {
      setPasskeyMessage(null);
      setAsking(true);
      try {
        const begun = await beginPasskeySecondFactorAction(challenge);
        if (!begun.ok) return setPasskeyMessage(begun.message);
        let response;
        try {
          response = await startAuthentication({ optionsJSON: begun.options });
        } catch {
          return setPasskeyMessage("No passkey was used. Try again" + (methods.totp ? ", or type a code." : "."));
        }
        const form = new FormData();
        form.set("challenge", challenge);
        form.set("next", target);
        form.set("passkeyAttempt", begun.attempt);
        form.set("passkeyResponse", JSON.stringify(response));
        form.set("totp", methods.totp ? "1" : "");
        form.set("passkey", "1");
        startTransition(() => action(form));
      } finally {
        setAsking(false);
      }
    };
    const message = passkeyMessage ?? state.message;
    return (
      <form action={action} className="form" aria-labelledby="sign-in-title" noValidate>
        {message ? <FormMessage tone="error">{message}</FormMessage> : null}
        <input type="hidden" name="challenge" value={challenge} />
        <input type="hidden" name="next" value={target} />
        <input type="hidden" name="totp" value={methods.totp ? "1" : ""} />
        <input type="hidden" name="passkey" value={methods.passkey ? "1" : ""} />
        {methods.passkey ? (
          <button
            type="button"
            className={methods.totp ? "button secondary" : "button"}
            onClick={usePasskey}
            disabled={pending || asking}
            aria-disabled={pending || asking}
          >
            {asking ? "Waiting for your passkey…" : "Use a passkey"}
          </button>
        ) : null}
        {methods.totp ? (
          <>
            <Field id="code" label="Authentication code" hint="The six digits your authenticator app shows, or one of your recovery codes.">
              {(props) => (
                <input {...props} name="code" inputMode="text" autoComplete="one-time-code" maxLength={40} required autoFocus={!methods.passkey} />
              )}
            </Field>
            <button type="submit" className="button" disabled={pending} aria-disabled={pending}>
              {pending ? "Checking…" : "Verify"}
            </button>
          </>
        ) : null}
        <p className="muted">
          Not you? <Link href="/sign-in">Start again</Link>
        </p>
      </form>
    );
  }
  return (
    <>
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
      <p className="muted">Or, with a passkey on this device or your phone (no password needed):</p>
      <PasskeySignInButton next={next} />
    </>
  );
}
