import { lookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";

/**
 * Where a webhook may not go: loopback, private (RFC 1918, unique-local), link-local (which holds
 * the cloud metadata service at 169.254.169.254), carrier-grade NAT, "this network", multicast and
 * reserved ranges, and IPv4 written inside IPv6. Node's own BlockList does the matching.
 */
const FORBIDDEN = (() => {
  const list = new BlockList();
  const v4: [string, number][] = [
    ["0.0.0.0", 8],
    ["10.0.0.0", 8],
    ["100.64.0.0", 10],
    ["127.0.0.0", 8],
    ["169.254.0.0", 16],
    ["172.16.0.0", 12],
    ["192.0.0.0", 24],
    ["192.0.2.0", 24],
    ["192.168.0.0", 16],
    ["198.18.0.0", 15],
    ["198.51.100.0", 24],
    ["203.0.113.0", 24],
    ["224.0.0.0", 4],
    ["240.0.0.0", 4],
  ];
  for (const [network, prefix] of v4) list.addSubnet(network, prefix, "ipv4");
  const v6: [string, number][] = [
    ["::", 128],
    ["::1", 128],
    ["64:ff9b::", 96],
    ["100::", 64],
    ["2001:db8::", 32],
    ["fc00::", 7],
    ["fe80::", 10],
    ["fec0::", 10],
    ["ff00::", 8],
  ];
  for (const [network, prefix] of v6) list.addSubnet(network, prefix, "ipv6");
  return list;
})();

export class WebhookDestinationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WebhookDestinationError";
  }
}

export type Destination = { readonly address: string; readonly family: 4 | 6 };

export const isForbiddenAddress = (address: string): boolean => {
  const family = isIP(address);
  if (family === 0) return true;
  if (family === 6) {
    // IPv4 written inside IPv6 (::ffff:10.0.0.1) is judged as the IPv4 address; in hex form, refused.
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped) return isForbiddenAddress(mapped[1]!);
    if (/^::ffff:/i.test(address)) return true;
  }
  return FORBIDDEN.check(address, family === 4 ? "ipv4" : "ipv6");
};

/**
 * Resolves the endpoint's host and picks the address to connect to. Unless private destinations are
 * allowed (local tests), every address the name resolves to must be public: a name that also
 * resolves to an internal address is refused, so DNS cannot steer a delivery inside. The caller
 * connects to the returned address itself (never resolving again), so the check is what is used.
 */
export async function resolveDestination(
  url: URL,
  options: { allowPrivate: boolean; resolve?: (host: string) => Promise<{ address: string; family: number }[]> },
): Promise<Destination> {
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  const addresses = isIP(host)
    ? [{ address: host, family: isIP(host) }]
    : await (options.resolve ?? ((name: string) => lookup(name, { all: true, verbatim: true })))(host).catch(() => {
        throw new WebhookDestinationError(`The host ${host} could not be resolved.`);
      });
  if (addresses.length === 0) throw new WebhookDestinationError(`The host ${host} has no address.`);
  if (!options.allowPrivate) {
    const forbidden = addresses.find((entry) => isForbiddenAddress(entry.address));
    if (forbidden)
      throw new WebhookDestinationError(`Webhooks may not go to ${forbidden.address}: a loopback, private, link-local or reserved address.`);
  }
  const first = addresses[0]!;
  return { address: first.address, family: first.family === 6 ? 6 : 4 };
}
