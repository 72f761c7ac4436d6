import { and, asc, eq, gte, lte } from "drizzle-orm";

import type { Database } from "../db/client";
import { accountSummary, auditLog, events } from "../db/schema";
import { formatAccountNumber } from "../domain/account/account-number";
import { accountEventCodec } from "../domain/account/codec";
import { accountStreamId } from "../domain/account/decider";
import type { Currency } from "../domain/shared/currency";
import { isUuid } from "../domain/shared/uuid";
import { decodeEvent, readStream } from "../event-store/read";
import { accountStateAt, stateFigures, type TimeTravelTarget } from "../projections/time-travel";

// Time travel in the back office: an account as of a position or an instant. Admin paths only.

export type HistoryTarget = { kind: "latest" } | { kind: "position"; position: bigint } | { kind: "at"; at: Date };

/**
 * `?position=N` or `?at=2026-11-20T14:30` (a datetime-local value, read as UTC, or any ISO time);
 * neither (or nonsense) means "now".
 */
export function parseHistoryTarget(params: Record<string, string | string[] | undefined>): HistoryTarget {
  const one = (key: string) => (Array.isArray(params[key]) ? params[key][0] : params[key]);
  const position = one("position");
  if (position && /^\d{1,18}$/.test(position)) return { kind: "position", position: BigInt(position) };
  const at = one("at");
  if (at && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?$/.test(at)) {
    const time = Date.parse(/(Z|[+-]\d{2}:\d{2})$/.test(at) ? at : `${at}Z`);
    if (!Number.isNaN(time)) return { kind: "at", at: new Date(time) };
  }
  return { kind: "latest" };
}

export type HistoryStateDto = {
  status: "Active" | "Frozen" | "Closed";
  balance: string;
  reserved: string;
  available: string;
  freezeCategory: string | null;
  freezeReason: string | null;
  deposits: number;
  withdrawals: number;
  rejections: number;
};

export type TimelineEntryDto = { position: string; eventType: string; recordedAt: string; summary: string | null };

export type AccountHistoryDto = {
  account: { id: string; displayNumber: string; nickname: string | null; currency: Currency; version: string };
  target: { kind: HistoryTarget["kind"]; position: string; at: string | null };
  /** The account as of `target.position`; null before it was opened (position 0). */
  state: HistoryStateDto | null;
  /** The event at that position, and when it was recorded. */
  event: { type: string; recordedAt: string } | null;
  /** Positions around the target, to step through. */
  timeline: TimelineEntryDto[];
};

const WINDOW = 15;

/**
 * The account's state at a stream position or an instant, computed by replaying its events with
 * the domain's evolve (never read from the projection), plus the positions around it.
 */
export async function readAccountHistory(db: Database, accountId: string, target: HistoryTarget): Promise<AccountHistoryDto | undefined> {
  if (!isUuid(accountId)) return undefined;
  const [summary] = await db.select().from(accountSummary).where(eq(accountSummary.accountId, accountId));
  if (!summary) return undefined;
  const version = summary.version;
  const streamId = accountStreamId(accountId);

  const upTo = target.kind === "position" ? (target.position > version ? version : target.position) : target.kind === "latest" ? version : undefined;
  const raws = await readStream(db, streamId, upTo === undefined ? {} : { upTo });
  const stored = raws.map((raw) => decodeEvent(accountEventCodec, raw));
  const travel: TimeTravelTarget = target.kind === "at" ? { at: target.at } : { position: upTo ?? version };
  const { state, position } = accountStateAt(stored, travel);
  const figures = stateFigures(state);
  const atEvent = stored.find((event) => event.streamPosition === position);

  const low = position - BigInt(WINDOW) < 1n ? 1n : position - BigInt(WINDOW);
  const high = position + BigInt(WINDOW);
  const timeline = await db
    .select({ position: events.streamPosition, eventType: events.eventType, recordedAt: events.recordedAt, summary: auditLog.summary })
    .from(events)
    .leftJoin(auditLog, eq(auditLog.globalPosition, events.globalPosition))
    .where(and(eq(events.streamId, streamId), gte(events.streamPosition, low), lte(events.streamPosition, high)))
    .orderBy(asc(events.streamPosition));

  return {
    account: {
      id: accountId,
      displayNumber: formatAccountNumber(summary.number),
      nickname: summary.nickname,
      currency: summary.currency,
      version: version.toString(),
    },
    target: { kind: target.kind, position: position.toString(), at: target.kind === "at" ? target.at.toISOString() : null },
    state: figures
      ? {
          status: figures.status,
          balance: figures.balance.toString(),
          reserved: figures.reserved.toString(),
          available: figures.available.toString(),
          freezeCategory: figures.freeze?.category ?? null,
          freezeReason: figures.freeze?.reason ?? null,
          deposits: figures.deposits,
          withdrawals: figures.withdrawals,
          rejections: figures.rejections,
        }
      : null,
    event: atEvent ? { type: atEvent.type, recordedAt: atEvent.recordedAt.toISOString() } : null,
    timeline: timeline.map((row) => ({
      position: row.position.toString(),
      eventType: row.eventType,
      recordedAt: row.recordedAt.toISOString(),
      summary: row.summary,
    })),
  };
}
