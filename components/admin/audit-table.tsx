import Link from "next/link";

import { formatUtc } from "@/components/admin/format";
import type { AuditRowDto } from "@/lib/dal/admin/audit";
import { formatAccountNumber } from "@/lib/domain/account/account-number";
import { eventTypeLabel } from "@/lib/domain/event-types";
import { describeChanges } from "@/lib/export/audit-csv";

/** Audit rows, newest first; each links to the stored events of its stream in the inspector. */
export function AuditTable({ rows, label }: { rows: AuditRowDto[]; label: string }) {
  return (
    <div className="table-wrap card" role="region" aria-label={label} tabIndex={0}>
      <table className="audit-table">
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Actor</th>
            <th scope="col">Target</th>
            <th scope="col">What happened</th>
            <th scope="col">Reason</th>
            <th scope="col">Changes</th>
            <th scope="col">Outcome</th>
            <th scope="col">Events</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.position} data-position={row.position} className={row.outcome === "rejected" ? "rejected" : undefined}>
              <td className="nowrap">{formatUtc(row.recordedAt)}</td>
              <td>
                {row.actorEmail ?? <span className="mono">{row.actorId}</span>}
                <span className="reference">{row.actorRole}</span>
              </td>
              <td>
                {row.accountId ? (
                  <Link href={`/admin/accounts/${row.accountId}`} className="mono">
                    {row.accountNumber ? formatAccountNumber(row.accountNumber) : row.accountId}
                  </Link>
                ) : row.customerId ? (
                  <Link href={`/admin/customers/${row.customerId}`}>{row.customerEmail ?? row.customerId}</Link>
                ) : (
                  <span className="mono">{row.streamId}</span>
                )}
                {row.accountId && row.customerEmail ? <span className="reference">{row.customerEmail}</span> : null}
              </td>
              <td>
                {row.summary}
                <span className="reference">{eventTypeLabel(row.eventType)}</span>
              </td>
              <td>{row.reason ?? <span className="muted">none</span>}</td>
              <td>
                {Object.keys(row.changes).length === 0 ? (
                  <span className="muted">nothing</span>
                ) : (
                  <ul className="plain-list">
                    {describeChanges(row.changes, row.currency).map((line) => (
                      <li key={line}>{line}</li>
                    ))}
                  </ul>
                )}
              </td>
              <td>
                <span className={`badge ${row.outcome === "rejected" ? "badge-refused" : "badge-accepted"}`}>
                  {row.outcome === "rejected" ? "Refused" : "Accepted"}
                </span>
              </td>
              <td className="nowrap">
                <Link href={`/admin/streams/${row.streamId}?from=${row.streamPosition}#event-${row.streamPosition}`}>
                  <span className="visually-hidden">Stored event </span>#{row.streamPosition}
                </Link>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
