import type { Metadata } from "next";
import Link from "next/link";

import { DataTable, PageHead, RowAction } from "@/components/ui/data-table";
import { myDateTimes } from "@/lib/dal/formatting";
import { listMySessions } from "@/lib/dal/security";

import { endSessionAction, signOutEverywhereAction } from "./actions";

export const metadata: Metadata = { title: "Devices and sessions" };

export default async function SessionsPage() {
  const date = await myDateTimes(); // the customer's locale and time zone
  const sessions = await listMySessions();
  return (
    <>
      <PageHead
        title="Devices and sessions"
        actions={
          <form action={signOutEverywhereAction}>
            <button type="submit" className="button secondary">
              Sign out everywhere
            </button>
          </form>
        }
      >
        Where you are signed in now. End any session you do not recognise, then <Link href="/settings/security">change your password</Link>. A session
        also ends after 30 minutes without use, and eight hours after sign-in.
      </PageHead>
      <DataTable
        label="Your sessions"
        columns={["Device", "Address", `Signed in (${date.timeZone})`, `Last active (${date.timeZone})`, { label: "Actions", hidden: true }]}
        rowCount={sessions.length}
      >
        {sessions.map((session) => (
          <tr key={session.id}>
            <td>
              {session.userAgent || "Unknown device"}
              {session.current ? <strong> (this device)</strong> : null}
            </td>
            <td className="mono">{session.ip ?? "unknown"}</td>
            <td>{date.format(new Date(session.createdAt))}</td>
            <td>{date.format(new Date(session.lastSeenAt))}</td>
            <td>
              <RowAction
                action={endSessionAction}
                fields={{ sessionId: session.id }}
                label={session.current ? "Sign out this device" : `End session signed in ${date.format(new Date(session.createdAt))}`}
              >
                {session.current ? "Sign out" : "End"}
              </RowAction>
            </td>
          </tr>
        ))}
      </DataTable>
    </>
  );
}
