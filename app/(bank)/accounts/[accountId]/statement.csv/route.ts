import { findOwnedAccount, getStatementForExport, parseMyStatementFilter } from "@/lib/dal/accounts";
import { myFormatting } from "@/lib/dal/formatting";
import { currentUser } from "@/lib/dal/session";
import { toDecimalString } from "@/lib/domain/shared/money";
import { statementCsv } from "@/lib/export/statement-csv";

export async function GET(request: Request, { params }: { params: Promise<{ accountId: string }> }) {
  const user = await currentUser();
  if (!user) return new Response("Sign in to download statements.", { status: 401 });
  const { accountId } = await params;
  const account = await findOwnedAccount(user, accountId);
  if (!account) return new Response("Not found", { status: 404 });
  // The same filter as the page (dates in the customer's time zone, amounts in the account's currency).
  const { filter, errors } = await parseMyStatementFilter(account, Object.fromEntries(new URL(request.url).searchParams));
  if (Object.keys(errors).length > 0) {
    return new Response(Object.values(errors).join(" "), { status: 400, headers: { "content-type": "text/plain; charset=utf-8" } });
  }
  const { cursor: _cursor, ...rest } = filter;
  const statement = await getStatementForExport(user, accountId, rest);
  if (!statement) return new Response("Not found", { status: 404 });
  const name = `ledgerline-${statement.account.number}-${new Date().toISOString().slice(0, 10)}.csv`;
  return new Response(statementCsv(statement.entries, toDecimalString, (await myFormatting()).timeZone), {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="${name}"`,
      "cache-control": "private, no-store",
    },
  });
}
