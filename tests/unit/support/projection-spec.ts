import { expect } from "vitest";

import type { EventMetadata, StoredEvent } from "@/lib/event-store/types";

/**
 * Given/when/then for a read model as a pure function of events: the given events are stored
 * (positions, ids, times and who-metadata filled in as the store would), folded by `project`, and
 * the rows that come out are compared. No database: the same functions feed the inline projection,
 * the rebuild and verify.
 */
export type Stored<Event extends { type: string; data: unknown }> = StoredEvent<Event>;

const T0 = Date.UTC(2026, 10, 1, 9, 0, 0);
export const systemActor: EventMetadata = {
  actorId: "cust-1",
  actorRole: "customer",
  commandId: "cmd",
  correlationId: "corr",
  causationId: "cmd",
  origin: "test",
};

/** Stores events on one stream as the event store would: positions 1.., one minute apart. */
export function storedOn<Event extends { type: string; data: unknown }>(
  streamId: string,
  events: readonly Event[],
  options: { firstPosition?: bigint; firstGlobal?: bigint; metadata?: EventMetadata } = {},
): Stored<Event>[] {
  return events.map((event, index) => ({
    globalPosition: (options.firstGlobal ?? 100n) + BigInt(index),
    transactionId: String(1000 + index),
    streamId,
    streamType: streamId.split("-")[0] ?? "stream",
    streamPosition: (options.firstPosition ?? 1n) + BigInt(index),
    eventId: `00000000-0000-4000-8000-${String(index).padStart(12, "0")}`,
    schemaVersion: 1,
    type: event.type as Event["type"],
    data: event.data as Event["data"],
    event,
    metadata: options.metadata ?? systemActor,
    recordedAt: new Date(T0 + index * 60_000),
  }));
}

export function projectionSpecification<Event extends { type: string; data: unknown }, Rows>(project: (events: readonly Stored<Event>[]) => Rows) {
  return (given: readonly Stored<Event>[]) => ({
    then: (expected: (rows: Rows) => void) => expected(project(given)),
    thenRows: (expected: Partial<Rows> | Record<string, unknown>) => expect(project(given)).toMatchObject(expected),
  });
}
