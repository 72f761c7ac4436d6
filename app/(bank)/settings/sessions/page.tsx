import type { Metadata } from "next";
import Link from "next/link";
import { listMySessions } from "@/lib/dal/security";
import { endSessionAction, signOutEverywhereAction } from "./actions";
import { myFormatting } from "@/lib/dal/formatting";
import { formatDateTime } from "@/lib/domain/shared/format";

export const metadata: Metadata = { title: "Devices and sessions" };


export default async function SessionsPage() {
  // In the customer's locale and time zone (lib/dal/formatting.ts).
  const formatting = await myFormatting();
  const date = { format: (at: Date) => formatDateTime(at, formatting) };
  const sessions = await listMySessions();
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Devices and sessions</h1>
          <p className="muted">
            Where you are signed in now. End any session you do not recognise, then <Link href="/settings/security">change your password</Link>.
            A session also ends after 30 minutes without use, and eight hours after sign-in.
          </p>
        </div>
        <form action={signOutEverywhereAction}>
          <button type="submit" className="button secondary">
            Sign out everywhere
          </button>
        </form>
      </div>
      <div className="table-wrap card" role="region" aria-label="Your sessions" tabIndex={0}>
        <table>
          <thead>
            <tr>
              <th scope="col">Device</th>
              <th scope="col">Address</th>
              <th scope="col">Signed in ({formatting.timeZone})</th>
              <th scope="col">Last active ({formatting.timeZone})</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
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
                  <form action={endSessionAction}>
                    <input type="hidden" name="sessionId" value={session.id} />
                    <button
                      type="submit"
                      className="button small secondary"
                      aria-label={session.current ? "Sign out this device" : `End session signed in ${date.format(new Date(session.createdAt))}`}
                    >
                      {session.current ? "Sign out" : "End"}
                    </button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
