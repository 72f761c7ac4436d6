import { randomBytes } from "node:crypto";
import http from "node:http";
import https from "node:https";

import ipaddr from "ipaddr.js";
import proxyaddr from "proxy-addr";

import { env } from "./env";
import type { TrustSetting } from "./trusted-proxies";

/**
 * The client's address, as far as this server can vouch for it.
 *
 * A route or server action in Next sees a Web `Request`, not the socket, and `next start` only fills
 * `X-Forwarded-For` from the socket when the client sent none: so the header alone is whatever the
 * client chose. `installPeerAddressHeader` (called from instrumentation.ts, before the first request)
 * stamps every incoming request, in Node's own `request` event, with a header carrying the socket's
 * address and a per-process secret; a client cannot forge it (the value is overwritten on every
 * request, and without the secret it is ignored). `clientAddress` then walks `X-Forwarded-For` from
 * the right, skipping the hops `TRUSTED_PROXIES` names (a count of proxies in front, or a list of
 * CIDRs and the names `loopback`, `linklocal`, `uniquelocal`), with proxy-addr (Express's).
 * Default: trust none, so the socket's address is the client's and `X-Forwarded-For` is ignored.
 */
export const PEER_HEADER = "x-ledgerline-peer";

type Registry = { secret?: string; installed?: boolean };
// On globalThis under Symbol.for: instrumentation and routes are different bundles of one process.
const registry: Registry = ((globalThis as Record<symbol, Registry>)[Symbol.for("ledgerline.peer-address")] ??= {});

/** Wraps Node's HTTP(S) servers so each request carries its socket's address in PEER_HEADER. */
export function installPeerAddressHeader(): void {
  if (registry.installed) return;
  registry.installed = true;
  registry.secret = randomBytes(18).toString("base64url");
  for (const Server of [http.Server, https.Server]) {
    const emit = Server.prototype.emit as (this: unknown, event: string | symbol, ...args: unknown[]) => boolean;
    Server.prototype.emit = function (this: unknown, event: string | symbol, ...args: unknown[]) {
      if (event === "request") {
        const request = args[0] as http.IncomingMessage;
        request.headers[PEER_HEADER] = `${registry.secret}:${request.socket?.remoteAddress ?? ""}`;
      }
      return emit.call(this, event, ...args);
    } as typeof Server.prototype.emit;
  }
}

/** The socket address our own server stamped on the request, or undefined when there is none we trust. */
export function peerAddress(headers: Headers): string | undefined {
  const value = headers.get(PEER_HEADER);
  if (!registry.secret || !value?.startsWith(`${registry.secret}:`)) return undefined;
  return normaliseAddress(value.slice(registry.secret.length + 1));
}

/** A valid IP address in its canonical form (IPv4-mapped IPv6 as IPv4), else undefined. At most 45 characters. */
export function normaliseAddress(value: string | undefined | null): string | undefined {
  const text = value?.trim();
  if (!text || text.length > 64) return undefined;
  const bare = text.replace(/%[0-9A-Za-z._~-]+$/, ""); // an IPv6 zone is local detail
  if (!ipaddr.isValid(bare)) return undefined;
  const parsed = ipaddr.process(bare);
  // ipaddr accepts legacy IPv4 forms (octal, "1.2.3"): only the four-part decimal form is an address here.
  if (!bare.includes(":") && !ipaddr.IPv4.isValidFourPartDecimal(bare)) return undefined;
  return parsed.toString();
}

const compiled = new Map<string, (address: string, index: number) => boolean>();

function trustFunction(setting: TrustSetting): (address: string, index: number) => boolean {
  if (setting.kind === "none") return () => false;
  if (setting.kind === "hops") return (_address, index) => index < setting.hops;
  const key = setting.entries.join(",");
  let fn = compiled.get(key);
  if (!fn) {
    fn = proxyaddr.compile(setting.entries);
    compiled.set(key, fn);
  }
  return fn;
}

/**
 * The right-most untrusted address of [X-Forwarded-For…, socket], validated and canonical; null
 * when it cannot be known (no socket address of our own, or an invalid address where the client is).
 */
export function clientAddressFrom(headers: Headers, trust: TrustSetting): string | null {
  const peer = peerAddress(headers);
  if (!peer) return null;
  if (trust.kind === "none") return peer;
  // Bounded: a header longer than this is not from a proxy chain anyone runs; only its right end counts.
  const forwarded = (headers.get("x-forwarded-for") ?? "").slice(-2048);
  const found = proxyaddr({ headers: { "x-forwarded-for": forwarded }, socket: { remoteAddress: peer } } as never, trustFunction(trust));
  return normaliseAddress(found) ?? null;
}

/** Whether the request came straight from a trusted proxy (its headers, such as a correlation id, may be believed). */
export function fromTrustedProxy(headers: Headers, trust: TrustSetting): boolean {
  const peer = peerAddress(headers);
  if (!peer || trust.kind === "none") return false;
  return trustFunction(trust)(peer, 0);
}

/**
 * The key an address is counted under by throttles and rate limits: IPv4 as is, IPv6 by its /64
 * (one subscriber is usually given a whole /64, so counting single addresses would be no limit).
 */
export function addressKey(address: string): string {
  if (!ipaddr.isValid(address)) return address.slice(0, 64);
  const parsed = ipaddr.parse(address);
  if (parsed.kind() === "ipv4") return address;
  const parts = (parsed as ipaddr.IPv6).parts.slice(0, 4).map((part) => part.toString(16));
  return `${parts.join(":")}::/64`;
}

/** The client's address under the configured TRUSTED_PROXIES (see clientAddressFrom). */
export function clientAddress(headers: Headers): string | null {
  return clientAddressFrom(headers, env().TRUSTED_PROXIES);
}

/** Whether the request came straight from a configured trusted proxy. */
export function fromConfiguredProxy(headers: Headers): boolean {
  return fromTrustedProxy(headers, env().TRUSTED_PROXIES);
}
