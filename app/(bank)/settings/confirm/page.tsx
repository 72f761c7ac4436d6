import type { Metadata } from "next";
import { safeNext } from "@/lib/dal/auth";
import { myTotpIsOn } from "@/lib/dal/security";
import { ConfirmForm } from "./confirm-form";

export const metadata: Metadata = { title: "Confirm it is you" };

export default async function ConfirmPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  const totp = await myTotpIsOn();
  const { next } = await searchParams;
  return (
    <div className="auth-card card">
      <h1 id="confirm-title">Confirm it is you</h1>
      <p className="muted">Before changing how you sign in or creating an API token, confirm with your password{totp ? " or a code" : ""}.</p>
      <ConfirmForm next={safeNext(typeof next === "string" ? next : "/settings/security")} hasSecondFactor={totp} />
    </div>
  );
}
