import { requireUser } from "@/lib/dal/session";

// Every customer page needs a session; each page and action still checks for itself (the DAL).
export default async function BankLayout({ children }: { children: React.ReactNode }) {
  await requireUser();
  return <>{children}</>;
}
