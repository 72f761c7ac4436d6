import { connect, headers as natsHeaders, RetentionPolicy, type JetStreamClient, type NatsConnection } from "nats";

import type { BrokerMessage, EventBroker } from "./relay";

export const NATS_STREAM = "LEDGERLINE_EVENTS";

/** The JetStream stream that holds a subject prefix's events: ledgerline.events → LEDGERLINE_EVENTS, subjects ledgerline.events.>. */
export const natsStreamFor = (subjectPrefix: string): { stream: string; subjects: string } => ({
  stream: subjectPrefix.toUpperCase().replace(/[^A-Z0-9_-]/g, "_"),
  subjects: `${subjectPrefix}.>`,
});
/** JetStream drops a message whose Nats-Msg-Id it has seen within this window (a relay that restarts resends its last batch). */
const DUPLICATE_WINDOW_NS = 2 * 3_600 * 1e9;

/**
 * The relay's NATS JetStream adapter (the official `nats` client). It makes sure the stream
 * exists (subjects ledgerline.events.>, limits retention, a two-hour de-duplication window) and
 * publishes each message with its event id as Nats-Msg-Id, waiting for every acknowledgement.
 */
export async function natsBroker(url: string, options: { stream?: string; subjects?: string } = {}): Promise<EventBroker> {
  const connection: NatsConnection = await connect({
    servers: url.split(",").map((s) => s.trim()),
    name: "ledgerline-relay",
    maxReconnectAttempts: -1,
  });
  const stream = options.stream ?? NATS_STREAM;
  const manager = await connection.jetstreamManager();
  try {
    await manager.streams.info(stream);
  } catch {
    await manager.streams
      .add({
        name: stream,
        subjects: [options.subjects ?? "ledgerline.events.>"],
        retention: RetentionPolicy.Limits,
        duplicate_window: DUPLICATE_WINDOW_NS,
      })
      .catch(async (error: unknown) => {
        // Another instance made it meanwhile.
        await manager.streams.info(stream).catch(() => {
          throw error;
        });
      });
  }
  const js: JetStreamClient = connection.jetstream();
  const encoder = new TextEncoder();
  return {
    name: "nats",
    async publish(messages: readonly BrokerMessage[]) {
      // Sent in order on one connection (the server keeps that order); every ack is awaited.
      await Promise.all(
        messages.map((message) => {
          const h = natsHeaders();
          h.set("Content-Type", "application/json");
          h.set("Ledgerline-Global-Position", message.event.globalPosition.toString());
          return js.publish(message.subject, encoder.encode(message.body), { msgID: message.id, headers: h });
        }),
      );
    },
    async close() {
      await connection.drain();
    },
  };
}
