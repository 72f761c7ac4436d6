import { timingSafeEqual } from "node:crypto";

import { commandContext } from "@/lib/dal/context";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { runScheduledWork } from "@/lib/process-managers/maintenance";
import { requestIds } from "@/lib/request-context";

// Vercel Cron calls GET with `Authorization: Bearer <CRON_SECRET>`; POST works the same for other schedulers.
export const dynamic = "force-dynamic";
export const maxDuration = 60;

function authorised(request: Request, secret: string): boolean {
  const given = Buffer.from(request.headers.get("authorization") ?? "");
  const expected = Buffer.from(`Bearer ${secret}`);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

async function run(request: Request): Promise<Response> {
  const secret = env().CRON_SECRET;
  if (!secret) return Response.json({ error: "The transfers cron is not configured (set CRON_SECRET)." }, { status: 503 });
  if (!authorised(request, secret)) return Response.json({ error: "Unauthorized" }, { status: 401 });
  // Serverless deployments have no background loop: this is its work.
  const report = await runScheduledWork(await commandContext(), { runnerId: "cron", maxMs: 20_000 });
  log().info({ event: "transfer-cron", requestId: (await requestIds()).requestId, ...report }, "cron resumed transfers");
  return Response.json(report, { headers: { "cache-control": "no-store" } });
}

export const GET = run;
export const POST = run;
