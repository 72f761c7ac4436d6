import type { Database } from "../db/client";
import { publicEventJson, toPublicEvent, type PublicEvent } from "../event-store/public-event";
import { runSubscription } from "../event-store/subscription";
import type { RawEvent } from "../event-store/types";

export const RELAY_SUBSCRIPTION = "broker-relay";

/** One message of the relay: a subject, a de-duplication id and the public event's JSON. */
export type BrokerMessage = { readonly subject: string; readonly id: string; readonly body: string; readonly event: PublicEvent };

/**
 * A broker the relay publishes to. `publish` must resolve only once the broker has durably accepted
 * every message of the batch (JetStream's publish acknowledgement; Kafka's acks=all), in the order
 * given; it may be called again with messages already accepted (after a crash), which the broker
 * drops by their id where it can. NATS JetStream is the one adapter today; Kafka fits the same shape
 * (subject → topic and key = stream id, id → a header for consumers' de-duplication).
 */
export interface EventBroker {
  readonly name: string;
  publish(messages: readonly BrokerMessage[]): Promise<void>;
  close(): Promise<void>;
}

/** Subjects by stream type and event type: ledgerline.events.account.MoneyDeposited. */
export const subjectOf = (event: Pick<RawEvent, "streamType" | "type">, prefix = "ledgerline.events"): string =>
  `${prefix}.${safeToken(event.streamType)}.${safeToken(event.type)}`;

const safeToken = (text: string) => text.replace(/[^A-Za-z0-9_-]/g, "_") || "_";

export const toBrokerMessage = (event: RawEvent, subjectPrefix?: string): BrokerMessage => {
  const shaped = toPublicEvent(event, { role: "admin" });
  return { subject: subjectOf(event, subjectPrefix), id: event.eventId, body: publicEventJson(shaped), event: shaped };
};

/**
 * Publishes every event, in global order, from the relay's checkpoint: each batch is published and
 * acknowledged before the transaction that moves the checkpoint commits, so a crash repeats the
 * batch (at least once; the broker's de-duplication by event id absorbs the repeat) and never
 * skips one. One instance at a time holds the relay (its subscription row is locked).
 */
export async function runRelay(db: Database, broker: EventBroker, options: { maxMs?: number; batch?: number; subjectPrefix?: string } = {}) {
  return runSubscription(
    db,
    RELAY_SUBSCRIPTION,
    (_tx, events) => broker.publish(events.map((event) => toBrokerMessage(event, options.subjectPrefix))),
    options,
  );
}
