import type { Metadata } from "next";
import Link from "next/link";

import { ResetPasswordForm } from "../link-forms";

export const metadata: Metadata = { title: "Choose a new password", referrer: "no-referrer" };

export default async function ResetPasswordPage({ searchParams }: { searchParams: Promise<{ token?: string | string[] }> }) {
  const { token } = await searchParams;
  return (
    <div className="auth-card card">
      <h1>Choose a new password</h1>
      {typeof token === "string" && token.length <= 100 ? (
        <ResetPasswordForm token={token} />
      ) : (
        <p>
          This link is not complete. <Link href="/forgot-password">Ask for a new one</Link>.
        </p>
      )}
    </div>
  );
}
