import type { Metadata } from "next";

import { getProjectionsStatus } from "@/lib/dal/admin/projections";

import { ProjectionRunner } from "./projection-runner";

export const metadata: Metadata = { title: "Projections" };

const number = new Intl.NumberFormat("en-GB");
const n = (text: string) => number.format(BigInt(text));

export default async function ProjectionsPage() {
  const status = await getProjectionsStatus();
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Projections</h1>
          <p className="muted">
            The read models are written in each command&apos;s transaction and can be rebuilt from the events at any time. The events table holds{" "}
            {n(status.eventCount)} events, up to global position {n(status.lastEventPosition)}.
          </p>
        </div>
      </div>
      <div className="table-wrap card" role="region" aria-label="Read models" tabIndex={0}>
        <table>
          <thead>
            <tr>
              <th scope="col">Read model</th>
              <th scope="col" className="num">
                Rows
              </th>
              <th scope="col" className="num">
                Last position applied
              </th>
              <th scope="col" className="num">
                Events table
              </th>
            </tr>
          </thead>
          <tbody>
            {status.projections.map((projection) => (
              <tr key={projection.table} data-table={projection.table}>
                <td>
                  <span className="mono">{projection.table}</span>
                  <span className="reference">{projection.description}</span>
                </td>
                <td className="num">{n(projection.rows)}</td>
                <td className="num">{projection.lastPosition === null ? <span className="muted">n/a</span> : n(projection.lastPosition)}</td>
                <td className="num">{n(status.lastEventPosition)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="muted small-print">
        A read model&apos;s last position is the newest event it has applied; account and transfer models only see their own streams, so theirs may be
        lower than the events table&apos;s. The audit log applies every event, so its position equals the table&apos;s when all is well.
      </p>
      <h2>Subscriptions</h2>
      <p className="muted">
        Durable subscribers read every event in global order from their own checkpoint: the webhook outbox and the broker relay. Lag is the committed
        events each has not processed yet.
      </p>
      <div className="table-wrap card" role="region" aria-label="Subscriptions" tabIndex={0}>
        <table>
          <thead>
            <tr>
              <th scope="col">Subscriber</th>
              <th scope="col" className="num">
                Processed
              </th>
              <th scope="col" className="num">
                Lag (events)
              </th>
              <th scope="col" className="num">
                Lag (seconds)
              </th>
              <th scope="col">Last run (UTC)</th>
              <th scope="col">Last error</th>
            </tr>
          </thead>
          <tbody>
            {status.subscriptions.length === 0 ? (
              <tr>
                <td colSpan={6} className="muted">
                  No subscriber has run yet.
                </td>
              </tr>
            ) : null}
            {status.subscriptions.map((subscription) => (
              <tr key={subscription.name} data-subscription={subscription.name}>
                <td className="mono">{subscription.name}</td>
                <td className="num">{n(subscription.eventsProcessed)}</td>
                <td className="num">{number.format(subscription.lagEvents)}</td>
                <td className="num">{number.format(Math.round(subscription.lagSeconds))}</td>
                <td>{subscription.updatedAt.slice(0, 19).replace("T", " ")}</td>
                <td>{subscription.lastError ?? <span className="muted">none</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <ProjectionRunner />
    </>
  );
}
