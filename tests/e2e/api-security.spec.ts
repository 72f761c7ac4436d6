import { randomUUID } from "node:crypto";

import { expect, test } from "@playwright/test";

import { account, API, client, DEMO_ADMIN, deposit, expectProblem, newCustomer, openAccount, tokenFor } from "./support/api";
import { signIn } from "./support/customer";

// CVE-2025-29927 let a request carrying x-middleware-subrequest skip Next's middleware; apps whose
// only check lived there were open. Here the proxy only redirects, and every page, route and API
// handler checks for itself: neither that header nor a forged cookie reaches anything.

const SUBREQUEST_VALUES = [
  "middleware",
  "middleware:middleware:middleware:middleware:middleware",
  "proxy:proxy:proxy:proxy:proxy",
  "src/middleware:src/middleware:src/middleware:src/middleware:src/middleware",
  "pages/_middleware",
];

const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
/** Session cookies an attacker could make without AUTH_SECRET. */
function forgedSessions(userId: string): string[] {
  const claims = { sub: userId, role: "admin", email: DEMO_ADMIN.email, name: "Forged", exp: Math.floor(Date.now() / 1000) + 3600 };
  return [
    "forged",
    `${base64url({ alg: "none", typ: "JWT" })}.${base64url(claims)}.`,
    `${base64url({ alg: "HS256", typ: "JWT" })}.${base64url(claims)}.${Buffer.from("not a signature").toString("base64url")}`,
    `${base64url({ alg: "dir", enc: "A256CBC-HS512" })}..${randomUUID()}.${base64url(claims)}.${randomUUID()}`,
  ];
}

test("x-middleware-subrequest skips neither the redirect to sign-in nor any check of a page, route or API call", async ({ request }) => {
  const customer = await newCustomer(request, "Sub Request");
  const { id } = await openAccount(customer.api, "EUR");
  await deposit(customer.api, id, 700);
  for (const value of SUBREQUEST_VALUES) {
    const header = { "x-middleware-subrequest": value };
    for (const path of ["/dashboard", "/settings/tokens", `/accounts/${id}`, "/transfers", "/admin"]) {
      const response = await request.get(path, { headers: header, maxRedirects: 0 });
      expect(response.status(), `${path} with ${value}`).toBe(307);
      expect(response.headers().location, path).toMatch(/\/sign-in\?next=/);
    }
    expect((await request.get("/api/portal/live", { headers: header, maxRedirects: 0 })).status()).toBe(401);
    expect((await request.get(`/accounts/${id}/statement.csv`, { headers: header, maxRedirects: 0 })).status()).not.toBe(200);
    expectProblem(await client(request).get("/accounts", header), 401, "UNAUTHENTICATED");
    expectProblem(
      await client(request).post(`/accounts/${id}/withdrawals`, { amount: 100 }, { key: randomUUID(), headers: header }),
      401,
      "UNAUTHENTICATED",
    );
    expectProblem(await customer.api.get("/admin/audit", header), 403, "FORBIDDEN");
    expectProblem(await customer.api.post(`/admin/accounts/${id}/freeze`, { reason: "x" }, { headers: header }), 403, "FORBIDDEN");
  }
  expect(await account(customer.api, id)).toMatchObject({ balance: 700, status: "active", version: 2 });
});

test("forged session cookies reach no page, route or API call", async ({ request }) => {
  const admin = client(request, await tokenFor(request, DEMO_ADMIN));
  const victim = await newCustomer(request, "Victor Victim");
  const { id } = await openAccount(victim.api, "EUR");
  await deposit(victim.api, id, 900);
  for (const forged of forgedSessions(victim.id)) {
    for (const name of ["authjs.session-token", "__Secure-authjs.session-token"]) {
      const cookie = { cookie: `${name}=${forged}` };
      for (const path of ["/dashboard", `/accounts/${id}`, "/settings/tokens", "/transfers/new"]) {
        const response = await request.get(path, { headers: cookie, maxRedirects: 0 });
        expect(response.status(), `${path} with ${name}`).toBe(307);
        expect(response.headers().location).toMatch(/\/sign-in/);
      }
      expect((await request.get("/api/portal/live", { headers: cookie, maxRedirects: 0 })).status()).toBe(401);
      expect((await request.get(`/accounts/${id}/statement.csv`, { headers: cookie, maxRedirects: 0 })).status()).not.toBe(200);
      const session = await (await request.get("/api/auth/session", { headers: cookie })).json();
      expect(session?.user).toBeUndefined();
      expectProblem(await client(request).get(`/accounts/${id}`, cookie), 401, "UNAUTHENTICATED");
      expectProblem(await client(request).get("/admin/audit", cookie), 401, "UNAUTHENTICATED");
      expectProblem(await client(request).post(`/admin/accounts/${id}/freeze`, { reason: "forged" }, { headers: cookie }), 401, "UNAUTHENTICATED");
    }
  }
  expect(await account(victim.api, id)).toMatchObject({ balance: 900, status: "active", version: 2 });
  expect((await admin.get<{ entries: unknown[] }>(`/admin/audit?accountId=${id}`)).body.entries).toHaveLength(2);
});

test("a real session cookie does not authenticate the API either (no cross-site calls with the visitor's cookie), nor a token anywhere but the header", async ({
  page,
}) => {
  await signIn(page, "dana@ledgerline.dev", "sunny-harbour-42");
  await expect(page).toHaveURL(/\/dashboard$/, { timeout: 20_000 });
  const cookies = await page.context().cookies();
  expect(cookies.some((cookie) => cookie.name.endsWith("authjs.session-token"))).toBe(true);
  // The page's request context carries the session cookie.
  const withCookie = await page.request.get(`${API}/accounts`, { maxRedirects: 0 });
  expect(withCookie.status()).toBe(401);
  const post = await page.request.post(`${API}/accounts`, { data: { currency: "EUR" }, maxRedirects: 0 });
  expect(post.status()).toBe(401);

  const token = await tokenFor(page.request, { email: "dana@ledgerline.dev", password: "sunny-harbour-42" });
  for (const path of [`${API}/accounts?access_token=${token}`, `${API}/accounts?token=${token}`]) {
    expect((await page.request.get(path, { maxRedirects: 0 })).status()).toBe(401);
  }
  expect((await page.request.get(`${API}/accounts`, { headers: { cookie: `authorization=Bearer ${token}` }, maxRedirects: 0 })).status()).toBe(401);
  expect((await page.request.get(`${API}/accounts`, { headers: { authorization: `Bearer ${token}` } })).status()).toBe(200);
});
