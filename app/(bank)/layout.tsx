import { LiveUpdates } from "@/components/live/live-updates";
import { myLiveStart } from "@/lib/dal/live-start";
import { FormattingProvider } from "@/components/ui/formatting";
import { myFormatting } from "@/lib/dal/formatting";
import { requireUser } from "@/lib/dal/session";

// Every customer page needs a session; each page and action still checks for itself (the DAL).
// LiveUpdates keeps balances, statements and transfers current without a reload.
export default async function BankLayout({ children }: { children: React.ReactNode }) {
  await requireUser();
  return (
    <FormattingProvider value={await myFormatting()}>
      <LiveUpdates since={await myLiveStart()}>{children}</LiveUpdates>
    </FormattingProvider>
  );
}
