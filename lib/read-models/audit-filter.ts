import { isAuditedEventType } from "../domain/event-types";

/**
 * The audit trail's filter, as the page's query string carries it. The page and the CSV export parse
 * the same parameters with this one function, so they cannot disagree about which rows match.
 */
export type AuditFilter = {
  /** An actor id (a user id, "transfer-runner", "cli:…") or a user's email. */
  readonly actor?: string;
  /** A customer id or email: rows about that customer's accounts and sign-ins. */
  readonly customer?: string;
  /** An account id or account number. */
  readonly account?: string;
  readonly type?: string;
  readonly outcome?: "accepted" | "rejected";
  /** Inclusive dates, YYYY-MM-DD, read in UTC. */
  readonly from?: string;
  readonly to?: string;
};

export const AUDIT_PAGE_SIZE = 50;
/** The most rows one CSV export carries; the page says so when a filter matches more. */
export const AUDIT_EXPORT_LIMIT = 100_000;

type Params = URLSearchParams | Record<string, string | string[] | undefined>;

function reader(params: Params) {
  return (key: string): string | undefined => {
    const value = params instanceof URLSearchParams ? params.get(key) : params[key];
    const one = Array.isArray(value) ? value[0] : value;
    return one ?? undefined;
  };
}

/** Free text from the query string: trimmed, bounded, printable; empty means "no filter". */
function textValue(value: string | undefined, max = 254): string | undefined {
  if (value === undefined) return undefined;
  const text = value
    .replace(/[\u0000-\u001f\u007f]/g, "")
    .trim()
    .slice(0, max);
  return text === "" ? undefined : text;
}

function dateValue(value: string | undefined): string | undefined {
  if (!value || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return undefined;
  const time = Date.parse(`${value}T00:00:00Z`);
  // Reject dates that Date.parse rolls over ("2026-02-31").
  return !Number.isNaN(time) && new Date(time).toISOString().slice(0, 10) === value ? value : undefined;
}

export function parseAuditFilter(params: Params): { filter: AuditFilter; cursor?: bigint } {
  const get = reader(params);
  const type = textValue(get("type"), 60);
  const outcome = get("outcome");
  const cursorText = get("cursor");
  const filter: AuditFilter = {
    actor: textValue(get("actor")),
    customer: textValue(get("customer")),
    account: textValue(get("account")),
    type: type && isAuditedEventType(type) ? type : undefined,
    outcome: outcome === "accepted" || outcome === "rejected" ? outcome : undefined,
    from: dateValue(get("from")),
    to: dateValue(get("to")),
  };
  const cursor = cursorText && /^\d{1,18}$/.test(cursorText) ? BigInt(cursorText) : undefined;
  return { filter: withoutEmpty(filter), cursor };
}

function withoutEmpty(filter: AuditFilter): AuditFilter {
  return Object.fromEntries(Object.entries(filter).filter(([, value]) => value !== undefined)) as AuditFilter;
}

const FILTER_KEYS = ["actor", "customer", "account", "type", "outcome", "from", "to"] as const satisfies readonly (keyof AuditFilter)[];

/** The filter as a query string ("?actor=…&type=…"), plus any extra parameters such as a cursor. */
export function auditQuery(filter: AuditFilter, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  for (const key of FILTER_KEYS) {
    const value = filter[key];
    if (value) params.set(key, value);
  }
  for (const [key, value] of Object.entries(extra)) params.set(key, value);
  const text = params.toString();
  return text ? `?${text}` : "";
}

export const isFiltered = (filter: AuditFilter): boolean => FILTER_KEYS.some((key) => filter[key] !== undefined);
