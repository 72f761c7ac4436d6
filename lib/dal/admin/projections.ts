import "server-only";
import { sql } from "drizzle-orm";
import { rowsOf } from "../../db/client";
import { database } from "../../db";
import { toJsonValue } from "../../domain/shared/json";
import { recordOperation } from "../../commands/operations";
import { rebuildProjections, verifyProjections } from "../../projections/rebuild";
import { adminMetadata, currentAdmin, NOT_AN_ADMIN_MESSAGE, requireAdminUser } from "./access";
import { log } from "../../log";
import { subscriptionLags } from "../../observability/subscription-lag";

export type ProjectionStatusDto = {
  table: string;
  description: string;
  rows: string;
  /** The last global position the read model has applied; null when it keeps none. */
  lastPosition: string | null;
};

export type SubscriptionStatusDto = { name: string; lagEvents: number; lagSeconds: number; eventsProcessed: string; updatedAt: string; lastError: string | null };

export type ProjectionsStatusDto = { eventCount: string; lastEventPosition: string; projections: ProjectionStatusDto[]; subscriptions: SubscriptionStatusDto[] };

// Table and column names are constants here, never input.
const READ_MODELS = [
  { table: "account_summary", column: "last_global_position", description: "One row per account: balances, status, counters." },
  { table: "statement_entries", column: "global_position", description: "Money movements and refused attempts, with running balance." },
  { table: "audit_log", column: "global_position", description: "One row per event: actor, outcome, reason, changes." },
  { table: "transfers_view", column: "last_global_position", description: "Where each transfer stands, with its steps." },
  { table: "sanctions_entries", column: null, description: "The sanctions list as it stands (keeps no position)." },
  { table: "inbound_payments_view", column: "last_global_position", description: "Where each payment received from a scheme stands." },
  { table: "approvals_view", column: "last_global_position", description: "Four-eyes approvals: pending, granted or declined." },
] as const;

/** Row counts and the last position each read model applied, beside the events table's own. */
export async function getProjectionsStatus(): Promise<ProjectionsStatusDto> {
  await requireAdminUser();
  const { db } = await database();
  const one = async (query: string) => rowsOf<{ n: string | null; p: string | null }>(await db.execute(sql.raw(query)))[0];
  const eventsRow = await one("select count(*)::text as n, max(global_position)::text as p from events");
  const projections: ProjectionStatusDto[] = [];
  for (const model of READ_MODELS) {
    const row = await one(
      `select count(*)::text as n, ${model.column ? `max(${model.column})::text` : "null::text"} as p from ${model.table}`,
    );
    projections.push({ table: model.table, description: model.description, rows: row?.n ?? "0", lastPosition: model.column ? (row?.p ?? "0") : null });
  }
  const subscriptions = (await subscriptionLags(db)).map((lag) => ({ ...lag, updatedAt: lag.updatedAt.toISOString() }));
  return { eventCount: eventsRow?.n ?? "0", lastEventPosition: eventsRow?.p ?? "0", projections, subscriptions };
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
  await recordOperation(db, { type: "ProjectionsVerified", data: { events: report.events, differences: report.differences.length } }, await adminMetadata(admin));
  log().info({ event: "projections", action: "verify", adminId: admin.id, events: report.events, differences: report.differences.length }, "projections verified");
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
  log().info({ event: "projections", action: "rebuild", adminId: admin.id, events: report.events, durationMs: Math.round(report.elapsedMs) }, "projections rebuilt");
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
