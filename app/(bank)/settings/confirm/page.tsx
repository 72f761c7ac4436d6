import type { Metadata } from "next";

import { safeNext } from "@/lib/dal/auth";
import { myPasskeyIsOn } from "@/lib/dal/passkeys";
import { myTotpIsOn } from "@/lib/dal/security";

import { ConfirmForm, ConfirmWithPasskey } from "./confirm-form";

export const metadata: Metadata = { title: "Confirm it is you" };

export default async function ConfirmPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  const totp = await myTotpIsOn();
  const passkey = await myPasskeyIsOn();
  const { next } = await searchParams;
  const target = safeNext(typeof next === "string" ? next : "/settings/security");
  return (
    <div className="auth-card card">
      <h1 id="confirm-title">Confirm it is you</h1>
      <p className="muted">
        Before changing how you sign in or creating an API token, confirm with your password{totp ? " or a code" : ""}
        {passkey ? " or a passkey" : ""}.
      </p>
      <ConfirmForm next={target} hasSecondFactor={totp} />
      {passkey ? <ConfirmWithPasskey next={target} /> : null}
    </div>
  );
}
