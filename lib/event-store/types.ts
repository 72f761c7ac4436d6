import type { JsonValue } from "../domain/shared/json";

/** What the store keeps beside each event: who asked, and which request and command it came from. */
export type EventMetadata = {
  readonly actorId: string;
  readonly actorRole: "customer" | "admin" | "system" | "scheme";
  readonly commandId: string | null;
  readonly correlationId: string | null;
  /** What an untrusted client sent as X-Correlation-Id (bounded, checked by saneId), apart from ours. */
  readonly claimedCorrelationId?: string;
  readonly causationId: string | null;
  readonly origin: string | null;
};

/** An event as stored, with its data still in stored (JSON) form. */
export type RawEvent = {
  readonly globalPosition: bigint;
  readonly transactionId: string;
  readonly streamId: string;
  readonly streamType: string;
  readonly streamPosition: bigint;
  readonly eventId: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: JsonValue;
  readonly metadata: EventMetadata;
  readonly recordedAt: Date;
};

/** An event as stored, decoded into its domain type. */
export type StoredEvent<Event extends { type: string; data: unknown }> = Omit<RawEvent, "type" | "data"> & {
  readonly type: Event["type"];
  readonly data: Event["data"];
  readonly event: Event;
};

export type NewEvent = { readonly type: string; readonly schemaVersion: number; readonly data: JsonValue };
