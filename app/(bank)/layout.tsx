import { LiveUpdates } from "@/components/live/live-updates";
import { FormattingProvider } from "@/components/ui/formatting";
import { myEmailUnverified } from "@/lib/dal/email-links";
import { myFormatting } from "@/lib/dal/formatting";
import { myLiveStart } from "@/lib/dal/live-start";
import { requireUser } from "@/lib/dal/session";

import { ResendVerificationForm } from "../(auth)/link-forms";

// Every customer page needs a session; each page and action still checks for itself (the DAL).
// LiveUpdates keeps balances, statements and transfers current without a reload.
export default async function BankLayout({ children }: { children: React.ReactNode }) {
  const user = await requireUser();
  const unverified = await myEmailUnverified();
  return (
    <FormattingProvider value={await myFormatting()}>
      <LiveUpdates since={await myLiveStart()}>
        {unverified ? (
          <div className="notice notice-warning" role="region" aria-label="Confirm your email address">
            Please confirm your email address: we sent a link to <span className="mono">{user.email}</span>. Until then we mail you nothing else (no
            notifications). <ResendVerificationForm />
          </div>
        ) : null}
        {children}
      </LiveUpdates>
    </FormattingProvider>
  );
}
