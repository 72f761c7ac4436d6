import type { Metadata } from "next";
import Link from "next/link";

import { myDateTimes } from "@/lib/dal/formatting";
import { myNotifications } from "@/lib/dal/notifications";

import { markAllReadAction, markReadAction } from "./actions";

export const metadata: Metadata = { title: "Inbox" };

export default async function InboxPage({ searchParams }: { searchParams: Promise<{ before?: string | string[] }> }) {
  const { before } = await searchParams;
  const date = await myDateTimes(); // the customer's locale and time zone
  const { notifications, nextCursor } = await myNotifications(typeof before === "string" ? before : undefined);
  const unread = notifications.some((notification) => !notification.read);
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Inbox</h1>
          <p className="muted">
            What happened on your accounts and to your sign-in. Choose what also comes by email in{" "}
            <Link href="/settings/notifications">notification settings</Link>.
          </p>
        </div>
        {unread ? (
          <form action={markAllReadAction}>
            <button type="submit" className="button secondary">
              Mark all as read
            </button>
          </form>
        ) : null}
      </div>
      {notifications.length === 0 ? (
        <p className="card">Nothing yet. Money received, transfers and security changes will show here.</p>
      ) : (
        <ul className="inbox" aria-label="Notifications">
          {notifications.map((notification) => (
            <li key={notification.id} className={`card inbox-item${notification.read ? "" : " unread"}`} data-testid="notification">
              <div>
                <h2 className="inbox-title">
                  {notification.read ? null : <span className="visually-hidden">Unread: </span>}
                  {notification.link ? <Link href={notification.link}>{notification.title}</Link> : notification.title}
                </h2>
                <p>{notification.body}</p>
                <p className="muted small">{date.format(new Date(notification.createdAt))}</p>
              </div>
              {notification.read ? null : (
                <form action={markReadAction}>
                  <input type="hidden" name="id" value={notification.id} />
                  <button
                    type="submit"
                    className="button small secondary"
                    aria-label={`Mark "${notification.title}" of ${date.format(new Date(notification.createdAt))} as read`}
                  >
                    Mark as read
                  </button>
                </form>
              )}
            </li>
          ))}
        </ul>
      )}
      {nextCursor ? (
        <nav className="pager" aria-label="Inbox pages">
          {before ? <Link href="/notifications">Newest</Link> : null}
          <Link href={`/notifications?before=${encodeURIComponent(nextCursor)}`}>Older</Link>
        </nav>
      ) : null}
    </>
  );
}
