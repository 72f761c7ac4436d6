import type { Metadata } from "next";
import { notFound } from "next/navigation";

import { devMailbox, devMailboxEnabled } from "@/lib/dal/mailbox";

// Where the mailbox is off, not even its title says it exists.
export function generateMetadata(): Metadata {
  return devMailboxEnabled() ? { title: "Development mailbox", robots: { index: false } } : {};
}
export const dynamic = "force-dynamic";

const date = new Intl.DateTimeFormat("en-GB", {
  day: "numeric",
  month: "short",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  timeZone: "UTC",
});

/** The text body with its http(s) links clickable (React escapes the rest). */
function TextBody({ text }: { text: string }) {
  const parts = text.split(/(https?:\/\/[^\s<>"']+)/g);
  return (
    <p className="mailbox-body">
      {parts.map((part, index) =>
        index % 2 === 1 ? (
          <a key={index} href={part}>
            {part}
          </a>
        ) : (
          part
        ),
      )}
    </p>
  );
}

export default async function DevMailboxPage() {
  const mails = await devMailbox();
  if (!mails) notFound();
  return (
    <>
      <h1>Development mailbox</h1>
      <p className="muted">
        Without <code>SMTP_URL</code> mails are kept here instead of being sent. Never on a real database or in production.
      </p>
      {mails.length === 0 ? <p className="card">No mail yet.</p> : null}
      {mails.map((mail) => (
        <article key={mail.id} className="card" data-testid="kept-mail" aria-label={`Mail to ${mail.to}: ${mail.subject}`}>
          <h2>{mail.subject}</h2>
          <p className="muted">
            To <span className="mono">{mail.to}</span>, {date.format(new Date(mail.keptAt))} UTC
          </p>
          <TextBody text={mail.text} />
        </article>
      ))}
    </>
  );
}
