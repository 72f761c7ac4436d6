import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";

/** Outcome of one command: applied, refused by the domain, answered from its idempotency key, or failed. */
export type CommandOutcomeLabel = "accepted" | "rejected" | "replayed" | "error";

export type Metrics = {
  readonly registry: Registry;
  readonly commands: Counter<"command_type" | "outcome">;
  readonly commandSeconds: Histogram<"command_type" | "outcome">;
  readonly commandRetries: Counter<"command_type" | "reason">;
  readonly idempotentReplays: Counter<"layer">;
  readonly transfers: Gauge<"status">;
  readonly oldestUnfinishedTransferSeconds: Gauge;
  readonly dbUp: Gauge;
  readonly dbPoolMax: Gauge<"driver">;
  readonly dbConnections: Gauge<"state">;
  readonly subscriptionLagEvents: Gauge<"subscription">;
  readonly subscriptionLagSeconds: Gauge<"subscription">;
  readonly webhookDeliveries: Gauge<"status">;
};

function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const created: Metrics = {
    registry,
    commands: new Counter({
      name: "ledgerline_commands_total",
      help: "Commands handled, by command type and outcome (accepted, rejected, replayed, error).",
      labelNames: ["command_type", "outcome"],
      registers: [registry],
    }),
    commandSeconds: new Histogram({
      name: "ledgerline_command_duration_seconds",
      help: "Time to handle one command, retries included, by command type and outcome.",
      labelNames: ["command_type", "outcome"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    commandRetries: new Counter({
      name: "ledgerline_command_retries_total",
      help: "Command transactions retried after a conflict (concurrency = stream version moved, serialization, deadlock).",
      labelNames: ["command_type", "reason"],
      registers: [registry],
    }),
    idempotentReplays: new Counter({
      name: "ledgerline_idempotent_replays_total",
      help: "Requests answered from a stored result instead of running again (layer: api = Idempotency-Key response, command = command id).",
      labelNames: ["layer"],
      registers: [registry],
    }),
    transfers: new Gauge({
      name: "ledgerline_transfers",
      help: "Transfers by status, read from transfers_view at scrape time.",
      labelNames: ["status"],
      registers: [registry],
    }),
    oldestUnfinishedTransferSeconds: new Gauge({
      name: "ledgerline_transfer_oldest_unfinished_seconds",
      help: "Seconds since the least recently advanced unfinished transfer (not completed, failed or held) last moved; 0 when there is none.",
      registers: [registry],
    }),
    subscriptionLagEvents: new Gauge({
      name: "ledgerline_subscription_lag_events",
      help: "Committed events a durable subscriber (webhooks, broker-relay) has not processed yet, read at scrape time.",
      labelNames: ["subscription"],
      registers: [registry],
    }),
    subscriptionLagSeconds: new Gauge({
      name: "ledgerline_subscription_lag_seconds",
      help: "Age of the oldest event a durable subscriber has not processed; 0 when caught up.",
      labelNames: ["subscription"],
      registers: [registry],
    }),
    webhookDeliveries: new Gauge({
      name: "ledgerline_webhook_deliveries",
      help: "Webhook deliveries by status (pending, delivered, failed), read at scrape time.",
      labelNames: ["status"],
      registers: [registry],
    }),
    dbUp: new Gauge({
      name: "ledgerline_db_up",
      help: "1 when the scrape's database queries succeeded, 0 when they failed (the database gauges are then absent).",
      registers: [registry],
    }),
    dbPoolMax: new Gauge({
      name: "ledgerline_db_pool_max",
      help: "Most database connections this instance may open (DATABASE_POOL_MAX; 1 for embedded PGlite).",
      labelNames: ["driver"],
      registers: [registry],
    }),
    dbConnections: new Gauge({
      name: "ledgerline_db_connections",
      help: "This instance's open Postgres connections by server-side state (pg_stat_activity), the scrape's own excluded.",
      labelNames: ["state"],
      registers: [registry],
    }),
  };
  // Series that exist from the first scrape, so rate() and alerts see 0 rather than nothing.
  for (const layer of ["api", "command"]) created.idempotentReplays.inc({ layer }, 0);
  return created;
}

type Holder = { metrics?: Metrics };
// On globalThis: Next bundles instrumentation (the transfer loop), route handlers and server actions
// separately, so a module-level registry would split the counts between bundles.
const holder = ((globalThis as { __ledgerlineMetrics?: Holder }).__ledgerlineMetrics ??= {});

export function metrics(): Metrics {
  holder.metrics ??= createMetrics();
  return holder.metrics;
}
