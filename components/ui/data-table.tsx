import type { ReactNode } from "react";

/** A column heading; `hidden` ones are read by screen readers only (a column of buttons). */
export type Column = string | { label: string; hidden?: boolean; className?: string };

/**
 * The portal's and back office's tables: a scrollable, labelled region (keyboard-focusable, so a
 * wide table can be scrolled without a mouse) with one header row, or a line saying there is
 * nothing yet. The rows are the caller's.
 */
export function DataTable({
  label,
  columns,
  rowCount,
  empty,
  describedBy,
  children,
}: {
  /** The region's accessible name, like "Your tokens". */
  label: string;
  columns: readonly Column[];
  rowCount: number;
  /** Shown instead of the table when there are no rows; without it the table shows with no rows. */
  empty?: ReactNode;
  /** The id of the heading or text that describes the table. */
  describedBy?: string;
  children: ReactNode;
}) {
  if (rowCount === 0 && empty !== undefined) return <p className="card muted">{empty}</p>;
  return (
    <div className="table-wrap card" role="region" aria-label={label} tabIndex={0}>
      <table aria-describedby={describedBy}>
        <thead>
          <tr>
            {columns.map((column) => {
              const { label: text, hidden, className } = typeof column === "string" ? { label: column } : column;
              return (
                <th key={text} scope="col" className={className}>
                  {hidden ? <span className="visually-hidden">{text}</span> : text}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

/** The heading block of a page: title, an optional line under it, and the page's main buttons. */
export function PageHead({ title, children, actions }: { title: string; children?: ReactNode; actions?: ReactNode }) {
  return (
    <div className="page-head">
      <div>
        <h1>{title}</h1>
        {children ? <p className="muted">{children}</p> : null}
      </div>
      {actions}
    </div>
  );
}

/**
 * A one-button form acting on one row (revoke, end, resend): the hidden fields name the row, the
 * server action checks that it is the user's.
 */
export function RowAction({
  action,
  fields,
  children,
  label,
  className = "button small secondary",
}: {
  action: (formData: FormData) => void | Promise<void>;
  fields: Record<string, string>;
  children: ReactNode;
  /** The button's accessible name when its text alone does not say which row it acts on. */
  label?: string;
  className?: string;
}) {
  return (
    <form action={action}>
      {Object.entries(fields).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <button type="submit" className={className} aria-label={label}>
        {children}
      </button>
    </form>
  );
}
