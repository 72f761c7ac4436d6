import { desc, eq } from "drizzle-orm";

import type { Database } from "../db/client";
import { mailOutbox } from "../db/schema";

export type KeptMailDto = { id: string; to: string; subject: string; text: string; keptAt: string };

/** The newest mails kept (not sent: there is no SMTP_URL), for the development mailbox. */
export async function keptMails(db: Database, limit = 50): Promise<KeptMailDto[]> {
  const rows = await db
    .select({ id: mailOutbox.mailId, to: mailOutbox.toAddress, subject: mailOutbox.subject, text: mailOutbox.textBody, sentAt: mailOutbox.sentAt })
    .from(mailOutbox)
    .where(eq(mailOutbox.status, "kept"))
    .orderBy(desc(mailOutbox.sentAt))
    .limit(limit);
  return rows.map((row) => ({
    id: row.id,
    to: row.to,
    subject: row.subject ?? "",
    text: row.text ?? "",
    keptAt: (row.sentAt ?? new Date(0)).toISOString(),
  }));
}
