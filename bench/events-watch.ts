/**
 * Events out under load, for bench/http.ts: while a scenario's writes run, the servers' background
 * loops relay every event to NATS JetStream and deliver it to an admin webhook endpoint; this side
 * times each event's arrival at a local webhook receiver and on a JetStream consumer (arrival minus
 * the event's recorded_at), counts what arrived while the writes ran, and how long after they
 * stopped the last one came.
 */
import { randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";

import { connect, type NatsConnection } from "nats";
import postgres from "postgres";

import { openDatabase } from "../lib/db/client";
import { natsBroker, natsStreamFor } from "../lib/process-managers/nats-broker";
import { registerWebhook } from "../lib/process-managers/webhooks/endpoints";
import { round, sleep } from "./support";

export type ArrivalFigures = {
  /** Distinct events that arrived with a recorded_at inside the window. */
  received: number;
  /** Of those, arrived before the window closed, per second of the window. */
  perSecondDuringWrites: number;
  /** All of the window's events had arrived this long after the writes stopped (null: not within the wait). */
  drainedAfterSeconds: number | null;
  lagMs: { p50: number | null; p95: number | null; p99: number | null; max: number | null };
};

export type EventsOutFigures = {
  eventsWritten: number;
  writesPerSecond: number;
  relay: ArrivalFigures;
  webhooks: ArrivalFigures;
  loopIntervalMs: number;
};

type Arrival = { recordedAt: number; arrivedAt: number };

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0 ? null : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

export async function startEventsOutWatch(natsUrl: string, loopIntervalMs: number) {
  const subjectPrefix = `llbench${randomBytes(3).toString("hex")}.events`;
  const { stream } = natsStreamFor(subjectPrefix);
  const hooks = new Map<string, Arrival>();
  const relayed = new Map<string, Arrival>();
  const server = http.createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    request.on("end", () => {
      // By the event's id (one delivery per event to this endpoint; a repeat keeps the first arrival).
      const event = JSON.parse(body) as { id: string; recordedAt: string };
      if (!hooks.has(event.id)) hooks.set(event.id, { recordedAt: Date.parse(event.recordedAt), arrivedAt: Date.now() });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const webhookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/bench`;
  // The stream exists before the servers' relays first connect (they find it), so the consumer can start now.
  await (await natsBroker(natsUrl, natsStreamFor(subjectPrefix))).close();
  const nats: NatsConnection = await connect({ servers: natsUrl });
  const consumer = await nats.jetstream().consumers.get(stream);
  const messages = await consumer.consume({ max_messages: 1_000 });
  void (async () => {
    for await (const message of messages) {
      const event = message.json<{ id: string; recordedAt: string }>();
      if (!relayed.has(event.id)) relayed.set(event.id, { recordedAt: Date.parse(event.recordedAt), arrivedAt: Date.now() });
    }
  })();

  let endpointId: string | undefined;
  return {
    /** What the servers need: the relay on this watch's subjects, webhooks allowed to the local receiver. */
    serverEnv: { NATS_URL: natsUrl, NATS_SUBJECT_PREFIX: subjectPrefix, WEBHOOKS_ALLOW_PRIVATE: "true" },
    /** Registers the admin endpoint (every event recorded from now on goes to the receiver). */
    async register(databaseUrl: string) {
      const handle = await openDatabase({ kind: "postgres", url: databaseUrl, poolMax: 1 });
      try {
        const { endpoint } = await registerWebhook(
          handle.db,
          { id: "bench-events-out", role: "admin" },
          { url: webhookUrl, description: "bench" },
          { allowPrivate: true },
        );
        endpointId = endpoint.id;
      } finally {
        await handle.close();
      }
    },
    /**
     * The figures for the events recorded in [from, to] (the measured writes): waits up to
     * `waitSeconds` for all of them to arrive on both sides, then deletes the endpoint so that later
     * scenarios send no webhooks (the relay goes on: it is on for the whole run).
     */
    async measure(databaseUrl: string, from: Date, to: Date, waitSeconds = 120): Promise<EventsOutFigures> {
      const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
      try {
        const rows = await sql<{ id: string }[]>`select event_id::text as id from events where recorded_at >= ${from} and recorded_at <= ${to}`;
        const ids = rows.map((row) => row.id);
        const stopped = Date.now();
        const drained = { relay: null as number | null, webhooks: null as number | null };
        while (Date.now() - stopped < waitSeconds * 1000) {
          if (drained.relay === null && ids.every((id) => relayed.has(id))) drained.relay = Math.max(...ids.map((id) => relayed.get(id)!.arrivedAt));
          if (drained.webhooks === null && ids.every((id) => hooks.has(id)))
            drained.webhooks = Math.max(...ids.map((id) => hooks.get(id)!.arrivedAt));
          if (drained.relay !== null && drained.webhooks !== null) break;
          await sleep(250);
        }
        const seconds = (to.getTime() - from.getTime()) / 1000;
        const figures = (arrivals: Map<string, Arrival>, drainedAt: number | null): ArrivalFigures => {
          const mine = ids.flatMap((id) => (arrivals.has(id) ? [arrivals.get(id)!] : []));
          const lags = mine.map((a) => a.arrivedAt - a.recordedAt).sort((x, y) => x - y);
          const during = mine.filter((a) => a.arrivedAt <= to.getTime()).length;
          return {
            received: mine.length,
            perSecondDuringWrites: round(during / seconds, 1),
            drainedAfterSeconds: drainedAt === null ? null : round(Math.max(0, drainedAt - to.getTime()) / 1000, 1),
            lagMs: { p50: percentile(lags, 50), p95: percentile(lags, 95), p99: percentile(lags, 99), max: percentile(lags, 100) },
          };
        };
        if (endpointId) await sql`delete from webhook_endpoints where id = ${endpointId}`;
        return {
          eventsWritten: ids.length,
          writesPerSecond: round(ids.length / seconds, 1),
          relay: figures(relayed, drained.relay),
          webhooks: figures(hooks, drained.webhooks),
          loopIntervalMs,
        };
      } finally {
        await sql.end({ timeout: 5 });
      }
    },
    async close() {
      server.close();
      messages.stop();
      const manager = await nats.jetstreamManager();
      await manager.streams.delete(stream).catch(() => undefined);
      await nats.close();
    },
  };
}

export type EventsOutWatch = Awaited<ReturnType<typeof startEventsOutWatch>>;

export function eventsOutLines(figures: EventsOutFigures): string[] {
  const side = (name: string, f: ArrivalFigures) =>
    `${name}: ${f.perSecondDuringWrites} events/s arrived while the writes ran (${f.received} of ${figures.eventsWritten}), ` +
    `${f.drainedAfterSeconds === null ? "not all arrived within the wait" : `the last ${f.drainedAfterSeconds} s after they stopped`}; ` +
    `lag (arrival − recorded_at) p50 / p95 / p99 / max ${f.lagMs.p50} / ${f.lagMs.p95} / ${f.lagMs.p99} / ${f.lagMs.max} ms`;
  return [
    `events out (servers' background loop every ${figures.loopIntervalMs} ms; ${figures.eventsWritten} events recorded in the window, ${figures.writesPerSecond}/s):`,
    `  ${side("relay to NATS JetStream", figures.relay)}`,
    `  ${side("webhooks to one admin endpoint", figures.webhooks)}`,
  ];
}
