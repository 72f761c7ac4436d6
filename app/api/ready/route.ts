import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { checkProcessReadiness } from "@/lib/observability/readiness";
import { requestIds } from "@/lib/request-context";

// Readiness: may this instance take traffic? Unauthenticated and cheap (two small queries), so load
// balancers and orchestrators can poll it; the body names checks, never hosts or error text.
export const dynamic = "force-dynamic";

export async function GET(): Promise<Response> {
  const config = env();
  const { readiness, error } = await checkProcessReadiness({
    timeoutMs: config.READY_TIMEOUT_MS,
    stuckAfterSeconds: config.READY_STUCK_TRANSFER_SECONDS,
  });
  if (readiness.status !== "ready") {
    const { requestId } = await requestIds();
    log().warn({ requestId, checks: readiness.checks, err: error }, "not ready");
  }
  return Response.json(readiness, { status: readiness.status === "ready" ? 200 : 503, headers: { "cache-control": "no-store" } });
}
