// Liveness only: the process is up. Readiness (database, migrations) comes with the operations issue.
export function GET() {
  return Response.json({ status: "ok" });
}
