import http from "node:http";
import type { AddressInfo } from "node:net";

import { describe, expect, it } from "vitest";

import { sendWebhook } from "@/lib/process-managers/webhooks/send";
import { isForbiddenAddress, resolveDestination } from "@/lib/process-managers/webhooks/ssrf";

const production = { allowPrivate: false, timeoutMs: 1_000, maxResponseBytes: 1_024 };
const resolvingTo = (address: string) => async () => [{ address, family: address.includes(":") ? 6 : 4 }];

describe("webhook SSRF guard (production mode)", () => {
  it.each(["127.0.0.1", "10.0.0.1", "169.254.169.254", "::1", "192.168.1.20", "172.16.5.4", "fd00::1", "fe80::1", "::ffff:127.0.0.1", "0.0.0.0"])(
    "refuses %s",
    (address) => {
      expect(isForbiddenAddress(address)).toBe(true);
    },
  );

  it("accepts a public address", () => {
    expect(isForbiddenAddress("93.184.215.14")).toBe(false);
    expect(isForbiddenAddress("2606:4700::1111")).toBe(false);
  });

  it.each(["https://127.0.0.1/hook", "https://10.0.0.1/hook", "https://169.254.169.254/latest/meta-data", "https://[::1]/hook"])(
    "refuses to deliver to %s, before connecting",
    async (url) => {
      const result = await sendWebhook(new URL(url), {}, "{}", production);
      expect(result.status).toBeNull();
      expect(result.error).toMatch(/may not go to/);
    },
  );

  it.each(["127.0.0.1", "10.0.0.1", "169.254.169.254", "::1"])(
    "refuses a name that resolves to %s (checked after DNS, per attempt)",
    async (address) => {
      await expect(
        resolveDestination(new URL("https://hooks.example.com/x"), { allowPrivate: false, resolve: resolvingTo(address) }),
      ).rejects.toThrow(/may not go to/);
      const result = await sendWebhook(new URL("https://hooks.example.com/x"), {}, "{}", { ...production, resolve: resolvingTo(address) });
      expect(result.error).toMatch(/may not go to/);
    },
  );

  it("refuses a name if any of its addresses is internal", async () => {
    const resolve = async () => [
      { address: "93.184.215.14", family: 4 },
      { address: "10.1.2.3", family: 4 },
    ];
    await expect(resolveDestination(new URL("https://mixed.example.com/"), { allowPrivate: false, resolve })).rejects.toThrow(/10\.1\.2\.3/);
  });

  it("refuses plain http in production, and allows loopback only with the test setting", async () => {
    expect((await sendWebhook(new URL("http://93.184.215.14/"), {}, "{}", production)).error).toMatch(/https/);
    await expect(resolveDestination(new URL("http://127.0.0.1:9/"), { allowPrivate: true })).resolves.toEqual({ address: "127.0.0.1", family: 4 });
  });
});

describe("webhook connections", () => {
  /** A receiver on one loopback address; counts the connections it was opened. */
  async function listener(host: string, port = 0) {
    const hits: string[] = [];
    let connections = 0;
    const server = http.createServer((request, response) => {
      hits.push(String(request.headers.host));
      request.resume();
      request.on("end", () => response.writeHead(204).end());
    });
    server.on("connection", () => (connections += 1));
    await new Promise<void>((resolve) => server.listen(port, host, resolve));
    return {
      port: (server.address() as AddressInfo).port,
      hits,
      connections: () => connections,
      close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
  }

  it("reuses a kept-alive connection only for the address this attempt's check gave (a name that moves is followed, not the old socket)", async () => {
    const first = await listener("127.0.0.1");
    const second = await listener("127.0.0.2", first.port);
    try {
      const url = new URL(`http://hooks.test:${first.port}/x`);
      const at = (address: string) => ({ allowPrivate: true, timeoutMs: 2_000, maxResponseBytes: 1_024, resolve: resolvingTo(address) });
      for (let i = 0; i < 3; i += 1) expect((await sendWebhook(url, {}, "{}", at("127.0.0.1"))).status).toBe(204);
      // One connection for the three (kept alive), and the Host header names the URL's host.
      expect(first.connections()).toBe(1);
      expect(first.hits).toEqual(Array(3).fill(`hooks.test:${first.port}`));
      // The name now resolves elsewhere: the request goes there, not down the open socket.
      expect((await sendWebhook(url, {}, "{}", at("127.0.0.2"))).status).toBe(204);
      expect(second.hits).toHaveLength(1);
      expect(first.hits).toHaveLength(3);
    } finally {
      await first.close();
      await second.close();
    }
  });
});
