import type { Metadata } from "next";
import Link from "next/link";

import { FormMessage } from "@/components/ui/field";
import { myDateTimes } from "@/lib/dal/formatting";
import { listMyPasskeys } from "@/lib/dal/passkeys";
import { mySecurityOverview } from "@/lib/dal/security";

import { AddPasskeyForm, RemovePasskeyForm, RenamePasskeyForm } from "./passkey-forms";
import { ChangePasswordForm, EnrolTotpForm, RemoveTotpForm } from "./security-forms";

export const metadata: Metadata = { title: "Security" };

export default async function SecurityPage({ searchParams }: { searchParams: Promise<{ required?: string }> }) {
  const overview = await mySecurityOverview();
  const passkeys = await listMyPasskeys();
  const date = await myDateTimes(); // the customer's locale and time zone
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
        <FormMessage tone="warning">The back office needs a second factor. Set up an authenticator app or add a passkey to continue.</FormMessage>
      ) : null}
      <section className="card" aria-labelledby="second-factor-heading">
        <h2 id="second-factor-heading">Authenticator app</h2>
        {overview.hasTotp ? (
          <>
            <p>On: sign-in asks for a code from your authenticator app (or a recovery code).</p>
            {overview.role === "admin" && passkeys.length === 0 ? (
              <p className="muted">Admins must keep a second factor.</p>
            ) : overview.recentlyAuthenticated ? (
              <RemoveTotpForm />
            ) : (
              confirm
            )}
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
      <section className="card" aria-labelledby="passkeys-heading">
        <h2 id="passkeys-heading">Passkeys</h2>
        <p className="muted">
          A passkey is kept by this device, your phone or your password manager. It works as the second step after your password, or as the whole
          sign-in with <strong>Sign in with a passkey</strong>.
        </p>
        {passkeys.length > 0 ? (
          <div className="table-wrap" role="region" aria-label="Your passkeys" tabIndex={0}>
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Added ({date.timeZone})</th>
                  <th scope="col">Last used ({date.timeZone})</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {passkeys.map((passkey) => (
                  <tr key={passkey.id}>
                    <td>
                      {passkey.name}
                      {passkey.synced ? <span className="muted"> (synced)</span> : null}
                    </td>
                    <td>{date.format(new Date(passkey.createdAt))}</td>
                    <td>{passkey.lastUsedAt ? date.format(new Date(passkey.lastUsedAt)) : "never"}</td>
                    <td>
                      <RenamePasskeyForm passkeyId={passkey.id} name={passkey.name} />{" "}
                      {overview.recentlyAuthenticated ? <RemovePasskeyForm passkeyId={passkey.id} name={passkey.name} /> : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <p>No passkeys yet.</p>
        )}
        {overview.recentlyAuthenticated ? <AddPasskeyForm /> : confirm}
      </section>
      <section className="card" aria-labelledby="password-heading">
        <h2 id="password-heading">Password</h2>
        <p className="muted">Changing it signs out your other sessions.</p>
        <ChangePasswordForm />
      </section>
    </>
  );
}
