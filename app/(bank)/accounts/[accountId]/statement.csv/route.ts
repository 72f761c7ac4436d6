import { getStatementForExport, parseStatementFilter } from "@/lib/dal/accounts";
import { currentUser } from "@/lib/dal/session";
import { toDecimalString } from "@/lib/domain/shared/money";
import { statementCsv } from "@/lib/export/statement-csv";

export async function GET(request: Request, { params }: { params: Promise<{ accountId: string }> }) {
  const user = await currentUser();
  if (!user) return new Response("Sign in to download statements.", { status: 401 });
  const { accountId } = await params;
  const { cursor: _cursor, ...filter } = parseStatementFilter(Object.fromEntries(new URL(request.url).searchParams));
  const statement = await getStatementForExport(user, accountId, filter);
  if (!statement) return new Response("Not found", { status: 404 });
  const name = `ledgerline-${statement.account.number}-${new Date().toISOString().slice(0, 10)}.csv`;
  return new Response(statementCsv(statement.entries, toDecimalString), {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="${name}"`,
      "cache-control": "private, no-store",
    },
  });
}
