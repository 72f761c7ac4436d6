import Link from "next/link";

import { MovementAmount, MovementDetail, movementLabel } from "@/components/accounts/movement-label";
import { DataTable } from "@/components/ui/data-table";
import { Field, FormMessage } from "@/components/ui/field";
import { When } from "@/components/ui/formatting";
import { Money } from "@/components/ui/money";
import type { StatementEntryDto, StatementFilter } from "@/lib/dal/accounts";
import type { Currency } from "@/lib/domain/shared/currency";

const KEYS = ["type", "from", "to", "q", "min", "max"] as const;
type Values = Record<string, string | string[] | undefined>;

const one = (values: Values, key: string) => {
  const value = values[key];
  return (Array.isArray(value) ? value[0] : value) ?? "";
};

/** The filter as the customer typed it, so a link (next page, CSV) shares exactly this search. */
function query(values: Values, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  for (const key of KEYS) {
    const value = one(values, key).trim();
    if (value && !(key === "type" && value === "all")) params.set(key, value);
  }
  for (const [key, value] of Object.entries(extra)) params.set(key, value);
  const text = params.toString();
  return text ? `?${text}` : "";
}

export function Statement({
  accountId,
  currency,
  entries,
  nextCursor,
  filter,
  values,
  errors,
  timeZone,
  paged,
}: {
  accountId: string;
  currency: Currency;
  entries: StatementEntryDto[];
  nextCursor: string | null;
  filter: StatementFilter;
  values: Values;
  errors: Record<string, string>;
  timeZone: string;
  paged: boolean;
}) {
  const invalid = Object.keys(errors).length > 0;
  const fieldErrors = (key: string) => (errors[key] ? [errors[key]] : undefined);
  return (
    <section aria-labelledby="statement-title" className="statement">
      <div className="section-head">
        <h2 id="statement-title">Statement</h2>
        {invalid ? null : (
          <a className="button secondary small" href={`/accounts/${accountId}/statement.csv${query(values)}`} download>
            Download CSV
          </a>
        )}
      </div>
      <form className="filters" method="get" aria-label="Search the statement">
        <Field id="filter-q" label="Search" hint="Reference or name" errors={fieldErrors("q")}>
          {(props) => <input {...props} name="q" type="search" maxLength={100} defaultValue={one(values, "q")} />}
        </Field>
        <Field id="filter-type" label="Type" errors={fieldErrors("type")}>
          {(props) => (
            <select {...props} name="type" defaultValue={filter.kind}>
              <option value="all">All</option>
              <option value="deposit">Deposits</option>
              <option value="withdrawal">Withdrawals</option>
              <option value="transfer">Transfers</option>
              <option value="rejected">Refused attempts</option>
            </select>
          )}
        </Field>
        <Field id="filter-from" label="From" errors={fieldErrors("from")}>
          {(props) => <input {...props} name="from" type="date" defaultValue={one(values, "from")} />}
        </Field>
        <Field id="filter-to" label="To" errors={fieldErrors("to")}>
          {(props) => <input {...props} name="to" type="date" defaultValue={one(values, "to")} />}
        </Field>
        <Field id="filter-min" label={`Amount from (${currency})`} errors={fieldErrors("min")}>
          {(props) => <input {...props} name="min" inputMode="decimal" maxLength={30} size={10} defaultValue={one(values, "min")} />}
        </Field>
        <Field id="filter-max" label={`Amount to (${currency})`} errors={fieldErrors("max")}>
          {(props) => <input {...props} name="max" inputMode="decimal" maxLength={30} size={10} defaultValue={one(values, "max")} />}
        </Field>
        <button type="submit" className="button secondary">
          Search
        </button>
        <Link href={`/accounts/${accountId}`} className="button secondary">
          Clear
        </Link>
      </form>
      {invalid ? (
        <FormMessage tone="error">The search could not be run: {Object.values(errors).join(" ")}</FormMessage>
      ) : entries.length === 0 ? (
        <p className="muted card">No movements match.</p>
      ) : (
        <DataTable
          label="Statement entries"
          describedBy="statement-title"
          columns={[`Date (${timeZone})`, "Movement", "Details", { label: "Amount", className: "num" }, { label: "Balance", className: "num" }]}
          rowCount={entries.length}
        >
          {entries.map((entry) => (
            <tr key={entry.position} className={entry.outcome === "rejected" ? "rejected" : undefined}>
              <td>
                <When at={entry.recordedAt} />
              </td>
              <td>{movementLabel(entry.kind, entry.outcome)}</td>
              <td>
                <MovementDetail reference={entry.reference} rejectionCode={entry.rejectionCode} counterparty={entry.counterparty} />
              </td>
              <td className="num">
                <MovementAmount entry={entry} />
              </td>
              <td className="num">
                <Money amount={entry.balanceAfter} currency={entry.currency} />
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      <nav className="pager" aria-label="Statement pages">
        {paged ? <Link href={`/accounts/${accountId}${query(values)}`}>Newest</Link> : null}
        {nextCursor ? <Link href={`/accounts/${accountId}${query(values, { cursor: nextCursor })}`}>Older movements</Link> : null}
      </nav>
    </section>
  );
}
