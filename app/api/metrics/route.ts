import { env } from "@/lib/env";
import { bearerMatches } from "@/lib/observability/bearer";
import { metrics } from "@/lib/observability/metrics";
import { refreshProcessGauges } from "@/lib/observability/scrape";

// Prometheus scrapes this with `Authorization: Bearer <METRICS_TOKEN>`. Without a token configured
// the endpoint does not exist (404), so a forgotten setting never exposes it.
export const dynamic = "force-dynamic";

const NO_STORE = { "cache-control": "no-store" } as const;

export async function GET(request: Request): Promise<Response> {
  const token = env().METRICS_TOKEN;
  if (!token) return new Response("Not found\n", { status: 404, headers: NO_STORE });
  if (!bearerMatches(request.headers.get("authorization"), token)) {
    return new Response("Unauthorized\n", { status: 401, headers: { ...NO_STORE, "www-authenticate": 'Bearer realm="metrics"' } });
  }
  await refreshProcessGauges({ timeoutMs: env().READY_TIMEOUT_MS });
  const { registry } = metrics();
  return new Response(await registry.metrics(), { headers: { ...NO_STORE, "content-type": registry.contentType } });
}
