import { sql } from "drizzle-orm";
import nodemailer from "nodemailer";

import type { MailTemplate } from "../../commands/mail";
import { rowsOf, type Database } from "../../db/client";
import { env } from "../../env";
import { log } from "../../log";
import { renderMail, type RenderedMail } from "./templates";

/** Sends one rendered mail; resolves with the server's message id, throws when it was not accepted. */
export type MailTransport = { send(mail: RenderedMail & { from: string; to: string; messageId: string }): Promise<string | undefined> };

/** How long a worker's claim on a mail lasts; longer than a send may take (the transport's timeouts). */
const LEASE_MS = 120_000;
/** After this many failed sends a mail is given up (marked failed); about a day of retries. */
export const MAX_MAIL_ATTEMPTS = 10;
/** Wait before retry n: 30 s doubling, at most 4 hours. */
export const mailRetryDelayMs = (failures: number): number => Math.min(30_000 * 2 ** Math.max(0, failures - 1), 4 * 3_600_000);
/** Links and codes in these are secrets: once sent by SMTP, the outbox forgets their bodies and data. */
const SECRET_TEMPLATES = new Set<MailTemplate>(["password-reset", "verify-email"]);

export type MailWorkerOptions = {
  readonly workerId: string;
  /** null: no mail server; mails are marked "kept" for the development mailbox instead. */
  readonly transport: MailTransport | null;
  readonly from: string;
  readonly fallbackOrigin: string;
  readonly now?: () => Date;
  readonly batch?: number;
  readonly maxMs?: number;
  readonly leaseMs?: number;
};

export type MailReport = {
  readonly attempted: number;
  readonly sent: number;
  readonly kept: number;
  readonly failed: number;
  readonly gaveUp: number;
};

type Claimed = { mail_id: string; to_address: string; template: MailTemplate; data: unknown; attempts: number };

const transports = new Map<string, MailTransport>();

/** The SMTP transport for SMTP_URL (one per process), or null without it. */
export function smtpTransport(url: string | undefined): MailTransport | null {
  if (!url) return null;
  let transport = transports.get(url);
  if (!transport) {
    const smtp = nodemailer.createTransport(url, { connectionTimeout: 15_000, greetingTimeout: 15_000, socketTimeout: 30_000 });
    transport = {
      async send(mail) {
        const info = await smtp.sendMail({
          from: mail.from,
          to: mail.to,
          subject: mail.subject,
          text: mail.text,
          html: mail.html,
          messageId: mail.messageId,
        });
        return typeof info.messageId === "string" ? info.messageId : undefined;
      },
    };
    transports.set(url, transport);
  }
  return transport;
}

/** The worker's settings from the environment. */
export function mailSettings(workerId: string): MailWorkerOptions {
  const settings = env();
  return {
    workerId,
    transport: smtpTransport(settings.SMTP_URL),
    from: settings.MAIL_FROM,
    fallbackOrigin: settings.AUTH_URL ?? `http://localhost:${settings.PORT}`,
  };
}

/**
 * Claims due mails and sends them. A mail is due when it is pending, its next attempt time has
 * come and nobody holds a live lease on it. Claims are leases taken with FOR UPDATE SKIP LOCKED, so
 * any number of workers on any instances share the outbox and never hold one mail at once. The
 * Message-ID is derived from the mail's id: a worker that dies between the server's acceptance and
 * its own commit lets the lease run out and the mail goes again with the same Message-ID (at least
 * once; that window is one round trip).
 */
export async function deliverDueMail(db: Database, options: MailWorkerOptions): Promise<MailReport> {
  const clock = options.now ?? (() => new Date());
  const deadline = Date.now() + (options.maxMs ?? 10_000);
  const report = { attempted: 0, sent: 0, kept: 0, failed: 0, gaveUp: 0 };
  for (;;) {
    const now = clock();
    const at = now.toISOString();
    const claimed = rowsOf<Claimed>(
      await db.execute(sql`
        with due as (
          select mail_id from mail_outbox
          where status = 'pending' and next_attempt_at <= ${at}::timestamptz
            and (claimed_until is null or claimed_until < ${at}::timestamptz)
          order by next_attempt_at, created_at
          limit ${options.batch ?? 20}
          for update skip locked)
        update mail_outbox m set claimed_by = ${options.workerId},
          claimed_until = ${new Date(now.getTime() + (options.leaseMs ?? LEASE_MS)).toISOString()}::timestamptz
        from due where m.mail_id = due.mail_id
        returning m.mail_id, m.to_address, m.template, m.data, m.attempts`),
    );
    if (claimed.length === 0) return report;
    for (const mail of claimed) await attempt(db, mail, now, options, report);
    if (Date.now() >= deadline) return report;
  }
}

async function attempt(
  db: Database,
  mail: Claimed,
  now: Date,
  options: MailWorkerOptions,
  report: { attempted: number; sent: number; kept: number; failed: number; gaveUp: number },
) {
  const data = (typeof mail.data === "string" ? JSON.parse(mail.data) : mail.data) as Record<string, unknown>;
  const rendered = renderMail(mail.template, data, options.fallbackOrigin);
  const messageId = `<${mail.mail_id.replace(/[^A-Za-z0-9.:_-]/g, "-")}@ledgerline>`;
  const mine = sql`mail_id = ${mail.mail_id} and claimed_by = ${options.workerId}`;
  if (!options.transport) {
    await db.execute(sql`update mail_outbox set status = 'kept', subject = ${rendered.subject}, text_body = ${rendered.text}, html_body = ${rendered.html},
      message_id = ${messageId}, sent_at = ${now.toISOString()}::timestamptz, claimed_until = null where ${mine}`);
    report.kept += 1;
    return;
  }
  report.attempted += 1;
  try {
    const accepted = await options.transport.send({ ...rendered, from: options.from, to: mail.to_address, messageId });
    const secret = SECRET_TEMPLATES.has(mail.template);
    await db.execute(sql`update mail_outbox set status = 'sent', attempts = attempts + 1, subject = ${rendered.subject},
      text_body = ${secret ? null : rendered.text}, html_body = ${secret ? null : rendered.html}, data = ${secret ? sql`'{}'::jsonb` : sql`data`},
      message_id = ${accepted ?? messageId}, sent_at = ${now.toISOString()}::timestamptz, last_error = null, claimed_until = null where ${mine}`);
    report.sent += 1;
  } catch (error) {
    const failures = mail.attempts + 1;
    const message = String(error instanceof Error ? error.message : error).slice(0, 500);
    const giveUp = failures >= MAX_MAIL_ATTEMPTS;
    await db.execute(sql`update mail_outbox set attempts = ${failures}, last_error = ${message}, claimed_until = null,
      status = ${giveUp ? "failed" : "pending"}, next_attempt_at = ${new Date(now.getTime() + mailRetryDelayMs(failures)).toISOString()}::timestamptz where ${mine}`);
    report.failed += 1;
    if (giveUp) report.gaveUp += 1;
    log().warn(
      { event: "mail-failed", mailId: mail.mail_id, attempts: failures, giveUp, err: message },
      "a mail could not be sent; it is retried later",
    );
  }
}
