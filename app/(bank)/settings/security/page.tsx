import type { Metadata } from "next";
import Link from "next/link";
import { FormMessage } from "@/components/ui/field";
import { mySecurityOverview } from "@/lib/dal/security";
import { ChangePasswordForm, EnrolTotpForm, RemoveTotpForm } from "./security-forms";

export const metadata: Metadata = { title: "Security" };

export default async function SecurityPage({ searchParams }: { searchParams: Promise<{ required?: string }> }) {
  const overview = await mySecurityOverview();
  const { required } = await searchParams;
  const confirm = (
    <p>
      <Link href="/settings/confirm?next=/settings/security" className="button secondary">
        Confirm it is you
      </Link>{" "}
      <span className="muted">Needed within five minutes before changing your second factor.</span>
    </p>
  );
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Security</h1>
          <p className="muted">
            Your second factor and password. See also <Link href="/settings/sessions">devices and sessions</Link> and{" "}
            <Link href="/settings/tokens">API tokens</Link>, your <Link href="/settings/email">email address</Link> and{" "}
            <Link href="/settings/notifications">notification settings</Link>.
          </p>
        </div>
      </div>
      {required === "admin" && !overview.hasSecondFactor ? (
        <FormMessage tone="warning">The back office needs a second factor. Set up an authenticator app to continue.</FormMessage>
      ) : null}
      <section className="card" aria-labelledby="second-factor-heading">
        <h2 id="second-factor-heading">Authenticator app</h2>
        {overview.hasSecondFactor ? (
          <>
            <p>On: sign-in asks for a code from your authenticator app (or a recovery code).</p>
            {overview.role === "admin" ? <p className="muted">Admins must keep a second factor.</p> : overview.recentlyAuthenticated ? <RemoveTotpForm /> : confirm}
          </>
        ) : overview.enrolment ? (
          <EnrolTotpForm secret={overview.enrolment.secret} qrDataUrl={overview.enrolment.qrDataUrl} />
        ) : (
          <>
            <p>Off. A second factor keeps your money safe even if your password leaks.</p>
            {confirm}
          </>
        )}
      </section>
      <section className="card" aria-labelledby="password-heading">
        <h2 id="password-heading">Password</h2>
        <p className="muted">Changing it signs out your other sessions.</p>
        <ChangePasswordForm />
      </section>
    </>
  );
}
