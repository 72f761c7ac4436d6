import proxyaddr from "proxy-addr";

/** TRUSTED_PROXIES, parsed: trust no proxy, the last `hops` hops, or the addresses in a list of CIDRs. */
export type TrustSetting = { kind: "none" } | { kind: "hops"; hops: number } | { kind: "list"; entries: string[] };

/** Parses TRUSTED_PROXIES: empty or "none", a hop count, or a comma-separated list of CIDRs/names. Throws on nonsense. */
export function parseTrustedProxies(value: string | undefined): TrustSetting {
  const text = value?.trim() ?? "";
  if (text === "" || text === "none" || text === "0") return { kind: "none" };
  if (/^\d+$/.test(text)) {
    const hops = Number(text);
    if (hops > 10) throw new Error("a hop count above 10 is not a deployment anyone runs");
    return { kind: "hops", hops };
  }
  const entries = text
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  // proxy-addr validates each entry and throws on a bad one: the caller reports it at start.
  proxyaddr.compile(entries);
  return { kind: "list", entries };
}
