import "server-only";

import { recordOperation } from "../../commands/operations";
import { database } from "../../db";
import { toJsonValue } from "../../domain/shared/json";
import { log } from "../../log";
import { subscriptionLags } from "../../observability/subscription-lag";
import { rebuildProjections, verifyProjections } from "../../projections/rebuild";
import { readModelsStatus, type ReadModelsStatusDto } from "../../read-models/projections";
import { adminMetadata, currentAdmin, NOT_AN_ADMIN_MESSAGE, requireAdminUser } from "./access";

export type { ProjectionStatusDto } from "../../read-models/projections";

export type SubscriptionStatusDto = {
  name: string;
  lagEvents: number;
  lagSeconds: number;
  eventsProcessed: string;
  updatedAt: string;
  lastError: string | null;
};

export type ProjectionsStatusDto = ReadModelsStatusDto & { subscriptions: SubscriptionStatusDto[] };

/** The read models' row counts and positions, and the subscribers' lag: for admins only. */
export async function getProjectionsStatus(): Promise<ProjectionsStatusDto> {
  await requireAdminUser();
  const { db } = await database();
  const status = await readModelsStatus(db);
  const subscriptions = (await subscriptionLags(db)).map((lag) => ({ ...lag, updatedAt: lag.updatedAt.toISOString() }));
  return { ...status, subscriptions };
}

export type ProjectionRunState =
  | { status: "idle" }
  | { status: "error"; message: string }
  | {
      status: "done";
      mode: "verify" | "rebuild";
      events: number;
      elapsedMs: number;
      eventsPerSecond: number;
      rows: Record<string, number>;
      /** Verify only: every difference (the first 200), each as JSON text. */
      differences: { table: string; key: string; kind: string; live: string | null; expected: string | null }[];
      differenceCount: number;
      finishedAt: string;
    };

const rate = (events: number, elapsedMs: number) => Math.round((events / Math.max(elapsedMs, 1)) * 1000);

/** Replays every event into temporary tables and compares them with the live read models. */
export async function runVerify(): Promise<ProjectionRunState> {
  const admin = await currentAdmin();
  if (!admin) return { status: "error", message: NOT_AN_ADMIN_MESSAGE };
  const { db } = await database();
  const report = await verifyProjections(db);
  await recordOperation(
    db,
    { type: "ProjectionsVerified", data: { events: report.events, differences: report.differences.length } },
    await adminMetadata(admin),
  );
  log().info(
    { event: "projections", action: "verify", adminId: admin.id, events: report.events, differences: report.differences.length },
    "projections verified",
  );
  return {
    status: "done",
    mode: "verify",
    events: report.events,
    elapsedMs: Math.round(report.elapsedMs),
    eventsPerSecond: rate(report.events, report.elapsedMs),
    rows: report.rows,
    differences: report.differences.slice(0, 200).map((difference) => ({
      table: difference.table,
      key: difference.key,
      kind: difference.kind,
      live: difference.live === undefined ? null : JSON.stringify(toJsonValue(difference.live)),
      expected: difference.expected === undefined ? null : JSON.stringify(toJsonValue(difference.expected)),
    })),
    differenceCount: report.differences.length,
    finishedAt: new Date().toISOString(),
  };
}

/** Replays every event into fresh tables and swaps them in (commands wait only for the swap). */
export async function runRebuild(): Promise<ProjectionRunState> {
  const admin = await currentAdmin();
  if (!admin) return { status: "error", message: NOT_AN_ADMIN_MESSAGE };
  const { db } = await database();
  const report = await rebuildProjections(db);
  await recordOperation(db, { type: "ProjectionsRebuilt", data: { events: report.events, rows: report.rows } }, await adminMetadata(admin));
  log().info(
    { event: "projections", action: "rebuild", adminId: admin.id, events: report.events, durationMs: Math.round(report.elapsedMs) },
    "projections rebuilt",
  );
  return {
    status: "done",
    mode: "rebuild",
    events: report.events,
    elapsedMs: Math.round(report.elapsedMs),
    eventsPerSecond: rate(report.events, report.elapsedMs),
    rows: report.rows,
    differences: [],
    differenceCount: 0,
    finishedAt: new Date().toISOString(),
  };
}
