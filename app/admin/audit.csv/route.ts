import { getAuditForExport, parseAuditFilter } from "@/lib/dal/admin/audit";
import { currentUser } from "@/lib/dal/session";
import { auditCsv } from "@/lib/export/audit-csv";

// The same filter as the page (the same parser, the same query), without the page's cursor: every
// matching row, newest first.
export async function GET(request: Request) {
  if (!(await currentUser())) return new Response("Sign in to continue.", { status: 401 });
  const { filter } = parseAuditFilter(new URL(request.url).searchParams);
  const rows = await getAuditForExport(filter);
  if (!rows) return new Response("Not found", { status: 404 });
  const name = `ledgerline-audit-${new Date().toISOString().slice(0, 19).replaceAll(":", "")}.csv`;
  return new Response(auditCsv(rows), {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="${name}"`,
      "cache-control": "private, no-store",
    },
  });
}
