import Link from "next/link";
import { MovementDetail, movementLabel } from "@/components/accounts/movement-label";
import { Money } from "@/components/ui/money";
import type { StatementEntryDto, StatementFilter } from "@/lib/dal/accounts";

const dateTime = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", timeZone: "UTC" });

function query(filter: StatementFilter, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  if (filter.kind !== "all") params.set("type", filter.kind);
  if (filter.from) params.set("from", filter.from);
  if (filter.to) params.set("to", filter.to);
  for (const [key, value] of Object.entries(extra)) params.set(key, value);
  const text = params.toString();
  return text ? `?${text}` : "";
}

export function Statement({
  accountId,
  entries,
  nextCursor,
  filter,
  paged,
}: {
  accountId: string;
  entries: StatementEntryDto[];
  nextCursor: string | null;
  filter: StatementFilter;
  paged: boolean;
}) {
  return (
    <section aria-labelledby="statement-title" className="statement">
      <div className="section-head">
        <h2 id="statement-title">Statement</h2>
        <a className="button secondary small" href={`/accounts/${accountId}/statement.csv${query(filter)}`} download>
          Download CSV
        </a>
      </div>
      <form className="filters" method="get" aria-label="Filter the statement">
        <div className="field">
          <label htmlFor="filter-type">Type</label>
          <select id="filter-type" name="type" defaultValue={filter.kind}>
            <option value="all">All</option>
            <option value="deposit">Deposits</option>
            <option value="withdrawal">Withdrawals</option>
            <option value="transfer">Transfers</option>
            <option value="rejected">Refused attempts</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="filter-from">From</label>
          <input id="filter-from" name="from" type="date" defaultValue={filter.from} />
        </div>
        <div className="field">
          <label htmlFor="filter-to">To</label>
          <input id="filter-to" name="to" type="date" defaultValue={filter.to} />
        </div>
        <button type="submit" className="button secondary">
          Apply
        </button>
      </form>
      {entries.length === 0 ? (
        <p className="muted card">No movements match.</p>
      ) : (
        <div className="table-wrap card" role="region" aria-label="Statement entries" tabIndex={0}>
          <table aria-describedby="statement-title">
            <thead>
              <tr>
                <th scope="col">Date (UTC)</th>
                <th scope="col">Movement</th>
                <th scope="col">Details</th>
                <th scope="col" className="num">
                  Amount
                </th>
                <th scope="col" className="num">
                  Balance
                </th>
              </tr>
            </thead>
            <tbody>
              {entries.map((entry) => (
                <tr key={entry.position} className={entry.outcome === "rejected" ? "rejected" : undefined}>
                  <td>{dateTime.format(new Date(entry.recordedAt))}</td>
                  <td>{movementLabel(entry.kind, entry.outcome)}</td>
                  <td>
                    <MovementDetail reference={entry.reference} rejectionCode={entry.rejectionCode} counterparty={entry.counterparty} />
                  </td>
                  <td className="num">
                    {entry.outcome === "rejected" ? (
                      <span className="struck">
                        <Money amount={entry.amount} currency={entry.currency} />
                      </span>
                    ) : (
                      <Money amount={entry.balanceChange} currency={entry.currency} signed />
                    )}
                  </td>
                  <td className="num">
                    <Money amount={entry.balanceAfter} currency={entry.currency} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav className="pager" aria-label="Statement pages">
        {paged ? <Link href={`/accounts/${accountId}${query(filter)}`}>Newest</Link> : null}
        {nextCursor ? <Link href={`/accounts/${accountId}${query(filter, { cursor: nextCursor })}`}>Older movements</Link> : null}
      </nav>
    </section>
  );
}
