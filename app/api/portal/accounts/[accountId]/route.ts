import { findOwnedAccount, toAccountDto } from "@/lib/dal/accounts";
import { currentUser } from "@/lib/dal/session";

/** The signed-in customer's own account, for the browser's query cache. */
export async function GET(_request: Request, { params }: { params: Promise<{ accountId: string }> }) {
  const user = await currentUser();
  if (!user) return Response.json({ error: "Sign in first." }, { status: 401 });
  const { accountId } = await params;
  const account = await findOwnedAccount(user, accountId);
  if (!account) return Response.json({ error: "Not found." }, { status: 404 });
  return Response.json({ account: toAccountDto(account) }, { headers: { "cache-control": "private, no-store" } });
}
