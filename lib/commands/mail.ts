import { sql } from "drizzle-orm";

import type { Database } from "../db/client";
import type { JsonValue } from "../domain/shared/json";

/** Mails that are not notifications; each template renders both bodies from the same data. */
export type MailTemplate = "password-reset" | "verify-email" | "email-changed" | "notification";

/**
 * Queues a mail in the caller's transaction: it is sent (by the outbox workers) exactly when that
 * transaction commits. `mailId` is derived from the fact it tells about, so a retry queues nothing new.
 */
export async function queueMail(
  tx: Database,
  mail: { mailId: string; userId: string | null; to: string; template: MailTemplate; data: Record<string, JsonValue>; now: Date },
): Promise<void> {
  const at = mail.now.toISOString();
  await tx.execute(sql`
    insert into mail_outbox (mail_id, user_id, to_address, template, data, status, attempts, next_attempt_at, created_at)
    values (${mail.mailId}, ${mail.userId}, ${mail.to}, ${mail.template}, ${JSON.stringify(mail.data)}::jsonb, 'pending', 0, ${at}::timestamptz, ${at}::timestamptz)
    on conflict do nothing`);
}
