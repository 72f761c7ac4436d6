import type { Metadata } from "next";
import Link from "next/link";

import { verifyEmailLink } from "@/lib/dal/email-links";

export const metadata: Metadata = { title: "Confirm your email address", referrer: "no-referrer" };
export const dynamic = "force-dynamic";

export default async function VerifyEmailPage({ searchParams }: { searchParams: Promise<{ token?: string | string[] }> }) {
  const { token } = await searchParams;
  const result = typeof token === "string" ? await verifyEmailLink(token) : { ok: false as const, message: "This link is not complete." };
  return (
    <div className="auth-card card">
      <h1>Confirm your email address</h1>
      {result.ok ? (
        <p role="status" className="notice notice-success">
          Thank you: {result.email} is confirmed.
        </p>
      ) : (
        <p role="alert" className="notice notice-error">
          {result.message}
        </p>
      )}
      <p>
        <Link href="/dashboard">Go to your accounts</Link>
      </p>
    </div>
  );
}
