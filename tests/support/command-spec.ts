import { sql } from "drizzle-orm";

import { rowsOf, type Database } from "@/lib/db/client";
import type { EventCodec } from "@/lib/domain/shared/codec";
import { rawFromSqlRow } from "@/lib/event-store/read";
import { recordFacts } from "@/lib/event-store/record";
import { rebuildProjections } from "@/lib/projections/rebuild";

import { meta } from "./commands";

/**
 * Given/when/then for commands on a real database: `given` stores a stream's history as facts
 * (encoded by the stream's codec, exactly as a command would have stored them) and brings the read
 * models up to date by the same replay a rebuild runs; `when` runs a command through its public
 * function; `then` reads back what the command appended, decoded, in order. The rows a page reads
 * are asserted through the read models, so a test says what a customer would see.
 */
export function commandSpec<Event extends { type: string; data: unknown }>(db: Database, codec: EventCodec<Event>, streamType: string) {
  return {
    async given(streamId: string, history: Event[]): Promise<void> {
      await db.transaction((tx) => recordFacts(tx, { streamId, streamType, events: history.map((event) => codec.encode(event)), metadata: meta() }));
      await rebuildProjections(db);
    },
    async when<R>(command: () => Promise<R>): Promise<{ result: R; events: Event[] }> {
      const before = await lastPosition(db);
      const result = await command();
      const rows = rowsOf<Record<string, unknown>>(
        await db.execute(sql`select global_position, transaction_id::text as transaction_id, stream_id, stream_type, stream_position,
                                    event_id, event_type, schema_version, data, metadata, recorded_at
                               from events where global_position > ${before} and stream_type = ${streamType} order by global_position`),
      );
      const events = rows.map(rawFromSqlRow).map((raw) => codec.decode(raw.type, raw.schemaVersion, raw.data));
      return { result, events };
    },
  };
}

async function lastPosition(db: Database): Promise<string> {
  const [row] = rowsOf<{ position: string }>(await db.execute(sql`select coalesce(max(global_position), 0)::text as position from events`));
  return row?.position ?? "0";
}
