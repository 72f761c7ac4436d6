import type { Database } from "../db/client";
import { env } from "../env";
import { noteSubscriptionError } from "../event-store/subscription";
import { deliverDueMail, mailSettings, type MailReport, type MailWorkerOptions } from "./mail/deliver";
import { natsBroker, natsStreamFor } from "./nats-broker";
import { RELAY_SUBSCRIPTION, runRelay, type EventBroker } from "./relay";
import { deliverDueWebhooks, type DeliveryReport } from "./webhooks/deliver";
import { runWebhookOutbox, WEBHOOK_SUBSCRIPTION } from "./webhooks/outbox";

export type EventsOutReport = { queuedFrom: number; relayed: number; mail: MailReport } & DeliveryReport;

export type EventsOutSettings = {
  readonly allowPrivate: boolean;
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
  /** The relay's subject prefix (NATS_SUBJECT_PREFIX). */
  readonly subjectPrefix?: string;
};

export const eventsOutSettings = (): EventsOutSettings => {
  const settings = env();
  return {
    allowPrivate: settings.WEBHOOKS_ALLOW_PRIVATE,
    timeoutMs: settings.WEBHOOK_TIMEOUT_MS,
    maxResponseBytes: settings.WEBHOOK_MAX_RESPONSE_BYTES,
    subjectPrefix: settings.NATS_SUBJECT_PREFIX,
  };
};

/**
 * One round of everything that carries events out: the webhook subscription queues deliveries, the
 * relay publishes to the broker (when there is one), due deliveries are sent, and so is due mail
 * from the mail outbox. Safe on any number of instances at once (subscription rows are locked,
 * deliveries and mails leased).
 */
export async function runEventsOut(
  db: Database,
  options: { workerId: string; maxMs: number; broker?: EventBroker; settings?: EventsOutSettings; mail?: MailWorkerOptions },
): Promise<EventsOutReport> {
  const settings = options.settings ?? eventsOutSettings();
  // One subscriber failing (a broker down) must not hold up the others: its error is noted on its row.
  const queued = await runWebhookOutbox(db, { maxMs: options.maxMs / 3 }).catch(async (error: unknown) => {
    await noteSubscriptionError(db, WEBHOOK_SUBSCRIPTION, error);
    return { processed: 0 };
  });
  const broker = options.broker;
  const relayed = broker
    ? await runRelay(db, broker, { maxMs: options.maxMs / 3, subjectPrefix: settings.subjectPrefix }).catch(async (error: unknown) => {
        await noteSubscriptionError(db, RELAY_SUBSCRIPTION, error);
        return { processed: 0 };
      })
    : { processed: 0 };
  const { subjectPrefix: _prefix, ...sendSettings } = settings;
  const sent = await deliverDueWebhooks(db, { workerId: options.workerId, maxMs: options.maxMs / 3, ...sendSettings });
  const mail = await deliverDueMail(db, { ...(options.mail ?? mailSettings(options.workerId)), maxMs: options.maxMs / 3 });
  return { queuedFrom: queued.processed, relayed: relayed.processed, mail, ...sent };
}

/** For the cron route: a broker connection for this call only (closed after), or none without NATS_URL. */
export async function withBroker<T>(run: (broker: EventBroker | undefined) => Promise<T>): Promise<T> {
  const { NATS_URL: url, NATS_SUBJECT_PREFIX: prefix } = env();
  if (!url) return run(undefined);
  const broker = await natsBroker(url, natsStreamFor(prefix));
  try {
    return await run(broker);
  } finally {
    await broker.close();
  }
}
