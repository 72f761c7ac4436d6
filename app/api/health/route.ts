// Liveness only: the process is up. Whether it may take traffic (database, migrations, projections)
// is /api/ready; see docs/monitoring.md.
export function GET() {
  return Response.json({ status: "ok" });
}
