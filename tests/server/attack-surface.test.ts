import { randomBytes } from "node:crypto";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { apiClient, newCustomer } from "./support/api";
import { startServer, tempDataDir, type RunningServer } from "./support/server";

// Attacks on what anyone can reach without an account, over HTTP against the production build
// (`next start`), on a server of its own: NODE_ENV=production, embedded database, no DEMO_SEED,
// no TRUSTED_PROXIES, and one password hash at a time with no queue so "busy" is reachable.
const AUTH_SECRET = "attack-surface-secret-0123456789abcdef";
const DEMO_ADMIN = { email: "avery@ledgerline.dev", password: "steady-audit-42" };

describe("attack surface of the production server", () => {
  const data = tempDataDir();
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({
      env: { PGLITE_DATA_DIR: data.dir, AUTH_SECRET, PASSWORD_HASH_CONCURRENCY: "1", PASSWORD_HASH_QUEUE: "0", LOG_LEVEL: "info" },
    });
  });
  afterAll(async () => {
    await server?.stop();
    data.remove();
  });

  it("finding 10: a production server on the embedded database without DEMO_SEED has no demo admin, and says so at start", async () => {
    const reply = await apiClient(server.url).post("/auth/token", DEMO_ADMIN);
    expect(reply.status).toBe(401);
    expect(server.output()).toContain("no demo users were created");
  });

  it("finding 5: every page type carries a nonce'd CSP without unsafe-inline scripts, and every response the other headers", async () => {
    const page = async (path: string, headers: Record<string, string> = {}) => fetch(`${server.url}${path}`, { headers, redirect: "manual" });
    const common = (response: Response) => {
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
      expect(response.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
      expect(response.headers.get("permissions-policy")).toContain("camera=()");
      expect(response.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
      expect(response.headers.get("strict-transport-security")).toBeNull(); // plain HTTP
    };
    const nonces = new Set<string>();
    for (const path of ["/", "/sign-in", "/sign-up"]) {
      const response = await page(path);
      expect(response.status).toBe(200);
      common(response);
      const policy = response.headers.get("content-security-policy") ?? "";
      const scriptSrc = policy.split(";").find((directive) => directive.trim().startsWith("script-src")) ?? "";
      expect(scriptSrc).not.toContain("unsafe-inline");
      expect(scriptSrc).not.toContain("unsafe-eval");
      const nonce = /'nonce-([^']+)'/.exec(scriptSrc)?.[1];
      expect(nonce).toBeTruthy();
      nonces.add(nonce as string);
      const html = await response.text();
      const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((match) => match[0]);
      expect(scripts.length).toBeGreaterThan(0);
      for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
    }
    expect(nonces.size).toBe(3); // a fresh nonce per request
    // Portal and back office, signed out and with a forged cookie: redirected, with the headers.
    for (const path of ["/dashboard", "/admin"]) {
      for (const headers of [{}, { cookie: "authjs.session-token=forged" }] as Record<string, string>[]) {
        const response = await page(path, headers);
        common(response);
        expect(response.headers.get("content-security-policy")).toContain("'nonce-");
      }
    }
    // The API, an operational route, a static chunk and the icon: a policy that allows nothing.
    const html = await (await page("/sign-in")).text();
    const chunk = /src="(\/_next\/static\/[^"]+\.js)"/.exec(html)?.[1];
    expect(chunk).toBeTruthy();
    for (const path of ["/api/v1/openapi.json", "/api/health", chunk as string, "/favicon.ico"]) {
      const response = await page(path);
      expect(response.status).toBe(200);
      common(response);
      expect(response.headers.get("content-security-policy")).toContain("default-src 'none'");
    }
    // Over HTTPS (as a TLS proxy reports it), HSTS too.
    for (const path of ["/sign-in", "/api/health"]) {
      expect((await page(path, { "x-forwarded-proto": "https" })).headers.get("strict-transport-security")).toContain("max-age=");
    }
  });

  it("the development mailbox (kept mails, reset links among them) is not found on a production server", async () => {
    const reply = await fetch(`${server.url}/dev/mailbox`, { redirect: "manual" });
    expect(reply.status).toBe(404);
    expect(await reply.text()).not.toContain("Development mailbox");
  });

  it("finding 12: a client's X-Correlation-Id does not become the correlation id of its commands", async () => {
    const customer = await newCustomer(server.url);
    const claimed = "victim-transfer-correlation-42";
    const opened = await customer.api.post("/accounts", { currency: "EUR" }, { "x-correlation-id": claimed });
    expect(opened.status).toBe(201);
    const requestId = opened.headers.get("x-request-id");
    const command = server
      .output()
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((line) => line.event === "api" && line.requestId === requestId);
    // An API call's one line carries its command's fields.
    expect(command).toMatchObject({ commandType: "OpenAccount", correlationId: requestId });
  });

  it("finding 4: a burst of sign-in attempts past the instance's hashing limit is answered 503 with Retry-After, never a 500", async () => {
    const api = apiClient(server.url);
    const burst = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        api.post("/auth/token", { email: `burst-${i}-${randomBytes(4).toString("hex")}@example.com`, password: "some guess here" }),
      ),
    );
    const statuses = burst.map((reply) => reply.status);
    expect(statuses.every((status) => status === 401 || status === 503)).toBe(true);
    const busy = burst.filter((reply) => reply.status === 503);
    expect(busy.length).toBeGreaterThan(0);
    expect(busy[0]?.body.code).toBe("SERVER_BUSY");
    expect(Number(busy[0]?.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  it("finding 3: a sign-up flood from one address is cut off by the shared rate limit (429 with Retry-After)", { timeout: 180_000 }, async () => {
    const api = apiClient(server.url);
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      // Valid sign-ups (malformed ones are refused by the schema before anything is counted, hashed or written).
      const reply = await api.post("/auth/signup", {
        name: "Flood",
        email: `flood-${i}-${randomBytes(4).toString("hex")}@example.com`,
        password: "a flood of accounts",
      });
      statuses.push(reply.status);
      if (reply.status === 429) {
        expect(reply.body.code).toBe("RATE_LIMITED");
        expect(Number(reply.headers.get("retry-after"))).toBeGreaterThan(0);
      }
    }
    // At most 10 an hour from one address (the finding 12 test above used one of them).
    const created = statuses.filter((status) => status === 201).length;
    expect(created).toBeGreaterThan(0);
    expect(created).toBeLessThanOrEqual(10);
    expect(statuses).toEqual([...Array(created).fill(201), ...Array(12 - created).fill(429)]);
  });

  it("finding 1: a new X-Forwarded-For on every guess no longer escapes the per-address sign-in limit", async () => {
    const api = apiClient(server.url);
    let lockedAt = 0;
    for (let i = 1; i <= 60 && !lockedAt; i++) {
      const spoofed = `198.51.${Math.floor(i / 250)}.${i % 250}`;
      const reply = await api.post(
        "/auth/token",
        { email: `spray-${i}-${randomBytes(4).toString("hex")}@example.com`, password: "a guess at it" },
        { "x-forwarded-for": spoofed, "x-real-ip": spoofed },
      );
      expect([401, 429]).toContain(reply.status);
      if (reply.status === 429) lockedAt = i;
    }
    // 50 per address in 15 minutes (a few attempts were spent above): the spoofed header changed nothing.
    expect(lockedAt).toBeGreaterThan(0);
    expect(lockedAt).toBeLessThanOrEqual(51);
  }, 480_000);
});
