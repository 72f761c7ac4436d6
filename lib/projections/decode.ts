import type { EventCodec } from "../domain/shared/codec";
import type { RawEvent, StoredEvent } from "../event-store/types";

/**
 * An event read back for a replay. The store validated each event when it was appended; upcasting
 * still applies. One literal, not `{ ...raw, event }`, which is V8's slow path on Node 20 (see
 * audit-base.ts).
 */
export function decodeTrusted<Event extends { type: string; data: unknown }>(codec: EventCodec<Event>, raw: RawEvent): StoredEvent<Event> {
  const event = codec.decodeTrusted(raw.type, raw.schemaVersion, raw.data);
  return {
    globalPosition: raw.globalPosition,
    transactionId: raw.transactionId,
    streamId: raw.streamId,
    streamType: raw.streamType,
    streamPosition: raw.streamPosition,
    eventId: raw.eventId,
    type: event.type,
    schemaVersion: raw.schemaVersion,
    data: event.data,
    metadata: raw.metadata,
    recordedAt: raw.recordedAt,
    event,
  };
}
