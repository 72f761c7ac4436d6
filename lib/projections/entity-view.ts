import { getTableName } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";

import { insertRowsStatement, rowFromDriver, upsertRowStatement } from "../db/rows";
import { auditLog, type AuditLogRow } from "../db/schema";
import { statement } from "../db/statement";
import type { Projection, ProjectionContext } from "../event-store/handle-command";
import type { StoredEvent } from "../event-store/types";

/** What every per-entity view row moves on each event: how far it has read its stream, and when. */
export type ViewTouch = { version: bigint; lastGlobalPosition: bigint; updatedAt: Date };

type AnyEvent = { type: string; data: unknown };

/**
 * A view row as a pure function of one entity's stream: the `created` event makes the row, every
 * later event changes some of its columns and moves its position. An event that comes before the
 * row exists changes nothing (a stream that does not start with `created` has no row).
 */
export function entityView<Event extends AnyEvent, Created extends Event["type"], Row extends ViewTouch>(view: {
  readonly created: Created;
  readonly create: (data: Extract<Event, { type: Created }>["data"], event: StoredEvent<Event>) => Omit<Row, keyof ViewTouch>;
  readonly change: (row: Row, event: Exclude<Event, { type: Created }>, stored: StoredEvent<Event>) => Partial<Row>;
}): (row: Row | undefined, event: StoredEvent<Event>) => Row | undefined {
  return (row, stored) => {
    const e = stored.event;
    const touch: ViewTouch = { version: stored.streamPosition, lastGlobalPosition: stored.globalPosition, updatedAt: stored.recordedAt };
    if (e.type === view.created) return { ...view.create(e.data as Extract<Event, { type: Created }>["data"], stored), ...touch } as Row;
    if (!row) return undefined;
    return { ...row, ...touch, ...view.change(row, e as Exclude<Event, { type: Created }>, stored) };
  };
}

/**
 * The inline writer of a view kept only with its audit rows: the row before the events comes from
 * the prefetch (by `keyColumn`, the stream's entity id), the view row after the last event is
 * upserted, and each event's audit row appended. Returns the row after each event.
 */
export function viewWriter<Table extends PgTable, Event extends AnyEvent>(view: {
  readonly table: Table;
  readonly keyColumn: string;
  readonly idOf: (streamId: string) => string;
  readonly evolve: (row: Table["$inferSelect"] | undefined, event: StoredEvent<Event>) => Table["$inferSelect"] | undefined;
  readonly audit: (after: Table["$inferSelect"], event: StoredEvent<Event>) => AuditLogRow;
}) {
  // Table and column names are the code's constants, never input.
  const select = `select * from ${getTableName(view.table)} where ${view.keyColumn} = $1`;
  return {
    /** The entity's row before the events, read in the same round trip as the load. */
    prefetch: (streamId: string) => statement(select, view.idOf(streamId)),
    project(events: readonly StoredEvent<Event>[], context: ProjectionContext<unknown>): Projection {
      const first = events[0];
      if (!first) return { writes: [] };
      const prefetched = context.prefetched?.[0];
      let row = first.streamPosition === 1n || !prefetched ? undefined : rowFromDriver(view.table, prefetched);
      const audit: AuditLogRow[] = [];
      const after: (Table["$inferSelect"] | undefined)[] = [];
      for (const event of events) {
        row = view.evolve(row, event);
        after.push(row);
        if (row) audit.push(view.audit(row, event));
      }
      if (!row) return { writes: [], rows: after };
      return { writes: [upsertRowStatement(view.table, row), insertRowsStatement(auditLog, audit)], rows: after };
    },
  };
}
