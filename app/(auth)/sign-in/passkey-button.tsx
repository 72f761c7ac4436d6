"use client";

import { startAuthentication } from "@simplewebauthn/browser";
import { useState, useTransition } from "react";

import { FormMessage } from "@/components/ui/field";

import { beginPasskeySignInAction, passkeySignInAction } from "../passkey-actions";

/** "Sign in with a passkey": the browser offers this site's passkeys; one that unlocks is both factors. */
export function PasskeySignInButton({ next }: { next?: string }) {
  const [message, setMessage] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  const signInWithPasskey = () =>
    startTransition(async () => {
      setMessage(null);
      const begun = await beginPasskeySignInAction();
      if (!begun.ok) return setMessage(begun.message);
      let response;
      try {
        response = await startAuthentication({ optionsJSON: begun.options });
      } catch {
        return setMessage("No passkey was used. Try again, or sign in with your email and password.");
      }
      const form = new FormData();
      form.set("attempt", begun.attempt);
      form.set("response", JSON.stringify(response));
      form.set("next", next ?? "/dashboard");
      const result = await passkeySignInAction(form);
      if (result.message) setMessage(result.message);
    });
  return (
    <div className="form">
      {message ? <FormMessage tone="error">{message}</FormMessage> : null}
      <button type="button" className="button secondary" onClick={signInWithPasskey} disabled={pending} aria-disabled={pending}>
        {pending ? "Waiting for your passkey…" : "Sign in with a passkey"}
      </button>
    </div>
  );
}
