/**
 * JSON text for API responses, with bigints written as exact integers: amounts are integers in minor
 * units, and `JSON.stringify` cannot write a bigint. Undefined object members are left out, as
 * `JSON.stringify` does; Dates become ISO strings.
 */
export function toJsonText(value: unknown): string {
  if (value === null || value === undefined) return "null";
  switch (typeof value) {
    case "bigint":
      return value.toString();
    case "number":
      return Number.isFinite(value) ? String(value) : "null";
    case "string":
    case "boolean":
      return JSON.stringify(value);
    case "object": {
      if (value instanceof Date) return JSON.stringify(value.toISOString());
      if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? "null" : toJsonText(item))).join(",")}]`;
      const members: string[] = [];
      for (const [key, inner] of Object.entries(value)) {
        if (inner === undefined || typeof inner === "function" || typeof inner === "symbol") continue;
        members.push(`${JSON.stringify(key)}:${toJsonText(inner)}`);
      }
      return `{${members.join(",")}}`;
    }
    default:
      return "null";
  }
}

/** The same value as canonical JSON (object keys sorted), for hashing a request's meaning. */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "bigint") return value.toString();
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (typeof value === "object") {
    const entries = Object.entries(value)
      .filter(([, inner]) => inner !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, inner]) => `${JSON.stringify(key)}:${canonicalJson(inner)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}
