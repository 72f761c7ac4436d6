import type { Metadata } from "next";
import Link from "next/link";

import { formatUtc } from "@/components/admin/format";
import { getStream } from "@/lib/dal/admin/streams";

export const metadata: Metadata = { title: "Event inspector" };

type Props = { params: Promise<{ streamId: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

/** Where a stream belongs in the back office, when it is an account's or a customer's. */
function ownerLink(streamId: string): { href: string; label: string } | null {
  const account = /^account-([0-9a-f-]{36})$/i.exec(streamId);
  if (account) return { href: `/admin/accounts/${account[1]}`, label: "Account page" };
  const user = /^user-([0-9a-f-]{36})$/i.exec(streamId);
  if (user) return { href: `/admin/customers/${user[1]}`, label: "Customer page" };
  if (streamId === "sanctions") return { href: "/admin/sanctions", label: "Sanctions list" };
  if (/^inbound-[0-9a-f-]{36}$/i.test(streamId)) return { href: "/admin/inbound", label: "Held inbound payments" };
  return null;
}

export default async function StreamPage({ params, searchParams }: Props) {
  const { streamId } = await params;
  const search = await searchParams;
  const fromText = Array.isArray(search.from) ? search.from[0] : search.from;
  const from = fromText && /^\d{1,18}$/.test(fromText) ? BigInt(fromText) : 1n;
  const stream = await getStream(streamId, from);
  const owner = ownerLink(stream.streamId);
  const pageLink = (start: string) => `/admin/streams/${stream.streamId}?from=${start}`;
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Event inspector</h1>
          <p className="mono stream-id">{stream.streamId}</p>
          <p className="muted">
            Stream type <span className="mono">{stream.streamType}</span> · version {stream.version}
            {stream.createdAt ? ` · created ${formatUtc(stream.createdAt)}` : ""}
            {stream.updatedAt ? ` · last write ${formatUtc(stream.updatedAt)}` : ""}
          </p>
        </div>
        <div className="actions">
          {owner ? (
            <Link className="button secondary" href={owner.href}>
              {owner.label}
            </Link>
          ) : null}
        </div>
      </div>
      <p className="muted">
        The rows exactly as stored in <span className="mono">events</span>, in stream order: nothing decoded or upcast. Showing positions{" "}
        {stream.from} to {stream.events.at(-1)?.streamPosition ?? stream.from}.
      </p>
      <nav className="pager" aria-label="Stream pages (top)">
        {stream.previousFrom ? <Link href={pageLink(stream.previousFrom)}>Earlier events</Link> : null}
        {stream.nextFrom ? <Link href={pageLink(stream.nextFrom)}>Later events</Link> : null}
      </nav>
      {stream.events.length === 0 ? <p className="card muted">No events at or after position {stream.from}.</p> : null}
      <ol className="event-list">
        {stream.events.map((event) => (
          <li key={event.streamPosition}>
            <article className="card stored-event" id={`event-${event.streamPosition}`} aria-labelledby={`event-${event.streamPosition}-title`}>
              <h2 id={`event-${event.streamPosition}-title`}>
                <span className="mono">#{event.streamPosition}</span> {event.eventType}
              </h2>
              <table className="row-preview">
                <tbody>
                  <tr>
                    <th scope="row">global_position</th>
                    <td className="mono">{event.globalPosition}</td>
                  </tr>
                  <tr>
                    <th scope="row">transaction_id</th>
                    <td className="mono">{event.transactionId}</td>
                  </tr>
                  <tr>
                    <th scope="row">stream_position</th>
                    <td className="mono">{event.streamPosition}</td>
                  </tr>
                  <tr>
                    <th scope="row">event_id</th>
                    <td className="mono">{event.eventId}</td>
                  </tr>
                  <tr>
                    <th scope="row">event_type</th>
                    <td className="mono">{event.eventType}</td>
                  </tr>
                  <tr>
                    <th scope="row">schema_version</th>
                    <td className="mono">{event.schemaVersion}</td>
                  </tr>
                  <tr>
                    <th scope="row">recorded_at</th>
                    <td className="mono">{event.recordedAt}</td>
                  </tr>
                  <tr>
                    <th scope="row">data</th>
                    <td>
                      <pre className="json" tabIndex={0} aria-label={`data of event ${event.streamPosition}`}>
                        {event.data}
                      </pre>
                    </td>
                  </tr>
                  <tr>
                    <th scope="row">metadata</th>
                    <td>
                      <pre className="json" tabIndex={0} aria-label={`metadata of event ${event.streamPosition}`}>
                        {event.metadata}
                      </pre>
                    </td>
                  </tr>
                </tbody>
              </table>
            </article>
          </li>
        ))}
      </ol>
      <nav className="pager" aria-label="Stream pages (bottom)">
        {stream.previousFrom ? <Link href={pageLink(stream.previousFrom)}>Earlier events</Link> : null}
        {stream.nextFrom ? <Link href={pageLink(stream.nextFrom)}>Later events</Link> : null}
      </nav>
    </>
  );
}
