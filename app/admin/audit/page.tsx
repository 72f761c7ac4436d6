import type { Metadata } from "next";
import Link from "next/link";

import { AuditTable } from "@/components/admin/audit-table";
import { auditQuery, getAuditPage, isFiltered, parseAuditFilter } from "@/lib/dal/admin/audit";
import { AUDITED_EVENT_TYPES } from "@/lib/domain/event-types";

export const metadata: Metadata = { title: "Audit trail" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function AuditPage({ searchParams }: Props) {
  const { filter, cursor } = parseAuditFilter(await searchParams);
  const page = await getAuditPage(filter, cursor);
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Audit trail</h1>
          <p className="muted">Every command (accepted or refused), admin action and failed sign-in, newest first. Times are UTC.</p>
        </div>
        <a className="button secondary" href={`/admin/audit.csv${auditQuery(filter)}`} download>
          Download CSV
        </a>
      </div>
      <form className="filters card" method="get" aria-label="Filter the audit trail">
        <div className="field">
          <label htmlFor="audit-actor">Actor (id or email)</label>
          <input id="audit-actor" name="actor" defaultValue={filter.actor} autoComplete="off" />
        </div>
        <div className="field">
          <label htmlFor="audit-customer">Customer (id or email)</label>
          <input id="audit-customer" name="customer" defaultValue={filter.customer} autoComplete="off" />
        </div>
        <div className="field">
          <label htmlFor="audit-account">Account (id or number)</label>
          <input id="audit-account" name="account" defaultValue={filter.account} autoComplete="off" />
        </div>
        <div className="field">
          <label htmlFor="audit-type">Event type</label>
          <select id="audit-type" name="type" defaultValue={filter.type ?? ""}>
            <option value="">Any</option>
            {AUDITED_EVENT_TYPES.map(({ type, label }) => (
              <option key={type} value={type}>
                {label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="audit-outcome">Outcome</label>
          <select id="audit-outcome" name="outcome" defaultValue={filter.outcome ?? ""}>
            <option value="">Any</option>
            <option value="accepted">Accepted</option>
            <option value="rejected">Refused</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="audit-from">From</label>
          <input id="audit-from" name="from" type="date" defaultValue={filter.from} />
        </div>
        <div className="field">
          <label htmlFor="audit-to">To</label>
          <input id="audit-to" name="to" type="date" defaultValue={filter.to} />
        </div>
        <div className="actions">
          <button type="submit" className="button secondary">
            Apply
          </button>
          {isFiltered(filter) ? <Link href="/admin/audit">Clear filters</Link> : null}
        </div>
      </form>
      {page.rows.length === 0 ? <p className="card muted">Nothing matches these filters.</p> : <AuditTable rows={page.rows} label="Audit entries" />}
      <nav className="pager" aria-label="Audit pages">
        {cursor !== undefined ? <Link href={`/admin/audit${auditQuery(filter)}`}>Newest</Link> : null}
        {page.nextCursor ? <Link href={`/admin/audit${auditQuery(filter, { cursor: page.nextCursor })}`}>Older entries</Link> : null}
      </nav>
    </>
  );
}
