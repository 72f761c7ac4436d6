import http from "node:http";
import type { AddressInfo } from "node:net";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { addressKey, clientAddressFrom, fromTrustedProxy, installPeerAddressHeader, normaliseAddress, PEER_HEADER } from "@/lib/client-address";
import { parseTrustedProxies, type TrustSetting } from "@/lib/trusted-proxies";

// A real Node HTTP server with the peer stamp installed, as `next start` runs after instrumentation.
let server: http.Server;
let port: number;
let trust: TrustSetting = { kind: "none" };

beforeAll(async () => {
  installPeerAddressHeader();
  server = http.createServer((request, response) => {
    const headers = new Headers();
    for (const [name, value] of Object.entries(request.headers)) if (typeof value === "string") headers.set(name, value);
    response.end(JSON.stringify({ address: clientAddressFrom(headers, trust), trusted: fromTrustedProxy(headers, trust) }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function ask(setting: string | undefined, headers: Record<string, string> = {}) {
  trust = parseTrustedProxies(setting);
  const response = await fetch(`http://127.0.0.1:${port}/`, { headers });
  return (await response.json()) as { address: string | null; trusted: boolean };
}

describe("client address", () => {
  it("trusts no proxy by default: a client's X-Forwarded-For and a forged peer header are ignored", async () => {
    expect(await ask(undefined, { "x-forwarded-for": "198.51.100.7" })).toEqual({ address: "127.0.0.1", trusted: false });
    expect(await ask("none", { [PEER_HEADER]: "guess:203.0.113.1", "x-real-ip": "203.0.113.2" })).toEqual({ address: "127.0.0.1", trusted: false });
  });

  it("with a hop count, takes the right-most hop the proxies added, not what the client put first", async () => {
    expect(await ask("1", { "x-forwarded-for": "6.6.6.6, 198.51.100.7" })).toEqual({ address: "198.51.100.7", trusted: true });
    expect(await ask("2", { "x-forwarded-for": "6.6.6.6, 198.51.100.7, 10.0.0.2" })).toMatchObject({ address: "198.51.100.7" });
  });

  it("with a CIDR list, skips trusted hops from the right and stops at the first untrusted one", async () => {
    expect(await ask("loopback, 10.0.0.0/8", { "x-forwarded-for": "6.6.6.6, 198.51.100.7, 10.1.2.3" })).toEqual({
      address: "198.51.100.7",
      trusted: true,
    });
    // A peer outside the list is the client, whatever it forwards.
    expect(await ask("10.0.0.0/8", { "x-forwarded-for": "198.51.100.7" })).toEqual({ address: "127.0.0.1", trusted: false });
  });

  it("refuses to record what is not an address, and bounds the header it reads", async () => {
    expect(await ask("1", { "x-forwarded-for": `${"x".repeat(5000)}` })).toMatchObject({ address: null });
    expect(await ask("1", { "x-forwarded-for": "<script>alert(1)</script>" })).toMatchObject({ address: null });
    expect(normaliseAddress("::ffff:192.0.2.1")).toBe("192.0.2.1");
    expect(normaliseAddress("0x7f.1")).toBeUndefined();
    expect(normaliseAddress("2001:DB8::1")).toBe("2001:db8::1");
  });

  it("counts IPv6 clients by their /64, so rotating through one subscriber's addresses is one key", () => {
    expect(addressKey("2001:db8:1:2::1")).toBe(addressKey("2001:db8:1:2:ffff::9"));
    expect(addressKey("203.0.113.5")).toBe("203.0.113.5");
  });

  it("rejects a TRUSTED_PROXIES that is not a count or CIDR list", () => {
    expect(() => parseTrustedProxies("everyone")).toThrow();
    expect(() => parseTrustedProxies("10.0.0.0/99")).toThrow();
    expect(parseTrustedProxies(" 2 ")).toEqual({ kind: "hops", hops: 2 });
  });
});
