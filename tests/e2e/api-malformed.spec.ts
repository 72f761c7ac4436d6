import { randomBytes, randomUUID } from "node:crypto";

import { expect, test } from "@playwright/test";

import { account, client, DEMO_ADMIN, deposit, MISSING_ID, newCustomer, openAccount, tokenFor, type Reply } from "./support/api";

// A corpus of malformed requests: every one gets a 4xx problem, none leaks a stack trace or database
// text, and none records anything.

type Case = { name: string; method?: string; path: string; body?: string | Buffer; headers: Record<string, string> };

const JSON_TYPE = { "content-type": "application/json" };
const BAD_JSON = [
  "{",
  '{"amount":}',
  '{"amount":1,}',
  "{'amount': 1}",
  '{"amount":1}}',
  '{"amount":1}garbage',
  "nul",
  "NaN",
  "undefined",
  "\u0000",
  '{"amount":01}',
  '{"amount":1e}',
  " ",
];
const NOT_OBJECTS = ["[]", "null", "1", '"amount"', "true", '[{"amount":1}]'];
const BAD_AMOUNTS: unknown[] = [
  0,
  -1,
  -0.5,
  0.5,
  1.5,
  99.99,
  1e-7,
  1e21,
  9007199254740993,
  "0",
  "00",
  "-1",
  "+5",
  "1 000",
  "1,5",
  "1.50",
  "0x10",
  "1e2",
  "abc",
  "",
  "٣",
  "999999999999999999999999999999",
  100_000_001,
  "100000001",
  null,
  true,
  [],
  {},
  [100],
];
const BAD_TYPES = [
  "application/x-www-form-urlencoded",
  "text/plain",
  "multipart/form-data; boundary=x",
  "application/xml",
  "text/json",
  "application/json-patch+json",
  "application/json; charset=latin1",
  "json",
];
const LEAKS =
  /\bat [\w.<>]+ \(|node_modules|\.ts:\d|\.js:\d|select |insert |update |relation |violates|constraint|syntax error|postgres|pglite|drizzle|SQLSTATE|TypeError|ReferenceError/i;

function corpus(accountId: string, otherNumber: string): Case[] {
  const cases: Case[] = [];
  const money = [`/accounts/${accountId}/deposits`, `/accounts/${accountId}/withdrawals`];
  const withKey = () => ({ ...JSON_TYPE, "idempotency-key": randomUUID() });
  const transfer = (amount: unknown) => JSON.stringify({ fromAccountId: accountId, toAccountNumber: otherNumber, amount });

  for (const path of [...money, "/transfers"]) {
    for (const body of BAD_JSON) cases.push({ name: `bad JSON ${JSON.stringify(body)} to ${path}`, path, body, headers: withKey() });
    for (const body of NOT_OBJECTS) cases.push({ name: `non-object ${body} to ${path}`, path, body, headers: withKey() });
    for (const type of BAD_TYPES)
      cases.push({
        name: `content type ${type} to ${path}`,
        path,
        body: '{"amount":100}',
        headers: { "content-type": type, "idempotency-key": randomUUID() },
      });
    cases.push({ name: `no content type to ${path}`, path, body: '{"amount":100}', headers: { "idempotency-key": randomUUID() } });
    cases.push({
      name: `no Idempotency-Key to ${path}`,
      path,
      body: path === "/transfers" ? transfer(100) : '{"amount":100}',
      headers: { ...JSON_TYPE },
    });
    cases.push({ name: `no body to ${path}`, path, headers: withKey() });
    cases.push({ name: `17 KiB body to ${path}`, path, body: JSON.stringify({ amount: 100, reference: "x".repeat(17 * 1024) }), headers: withKey() });
    cases.push({ name: `1 MiB body to ${path}`, path, body: Buffer.alloc(1024 * 1024, 0x20), headers: withKey() });
    cases.push({ name: `deep nesting to ${path}`, path, body: `${"[".repeat(5000)}${"]".repeat(5000)}`, headers: withKey() });
    cases.push({
      name: `invalid UTF-8 to ${path}`,
      path,
      body: Buffer.from([0x7b, 0x22, 0x61, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]),
      headers: withKey(),
    });
  }
  for (const path of money) {
    for (const amount of BAD_AMOUNTS)
      cases.push({ name: `amount ${JSON.stringify(amount)} to ${path}`, path, body: JSON.stringify({ amount }), headers: withKey() });
    for (const extra of [{ extra: 1 }, { accountId }, { currency: "EUR" }, { constructor: { prototype: {} } }, { Amount: 100 }]) {
      cases.push({
        name: `unknown field ${Object.keys(extra).join()} to ${path}`,
        path,
        body: JSON.stringify({ amount: 100, ...extra }),
        headers: withKey(),
      });
    }
    cases.push({ name: `__proto__ key to ${path}`, path, body: '{"amount":100,"__proto__":{"x":1}}', headers: withKey() });
    for (const reference of [5, ["a"], { a: 1 }, "r".repeat(141), "nul\u0000", "line\nbreak", "half\ud800"]) {
      cases.push({
        name: `reference ${JSON.stringify(reference).slice(0, 20)} to ${path}`,
        path,
        body: JSON.stringify({ amount: 100, reference }),
        headers: withKey(),
      });
    }
  }
  for (const amount of BAD_AMOUNTS.slice(0, 20))
    cases.push({ name: `transfer amount ${JSON.stringify(amount)}`, path: "/transfers", body: transfer(amount), headers: withKey() });
  for (const body of [
    { fromAccountId: accountId, amount: 100 },
    { fromAccountId: accountId, toAccountNumber: 12345, amount: 100 },
    { fromAccountId: accountId, toAccountNumber: "LL", amount: 100 },
    { fromAccountId: accountId, toAccountNumber: otherNumber, amount: 100, toAccountId: accountId },
    { fromAccountId: "'; drop table events; --", toAccountNumber: otherNumber, amount: 100 },
    { fromAccountId: MISSING_ID, toAccountNumber: otherNumber, amount: 100 },
    { fromAccountId: accountId, toAccountNumber: "LL00 0000 0000", amount: 100 },
  ]) {
    cases.push({ name: `transfer ${JSON.stringify(body).slice(0, 60)}`, path: "/transfers", body: JSON.stringify(body), headers: withKey() });
  }
  for (const body of [
    '{"currency":"eur"}',
    '{"currency":1}',
    '{"nickname":"x"}',
    '{"currency":"EUR","nickname":"' + "n".repeat(41) + '"}',
    '{"currency":"EUR","ownerId":"x"}',
    "[]",
    "{",
  ]) {
    cases.push({ name: `open account ${body.slice(0, 40)}`, path: "/accounts", body, headers: JSON_TYPE });
  }
  // Idempotency-Key values that are not keys.
  for (const key of ["has space", "x".repeat(256), "tab\there"]) {
    cases.push({
      name: `Idempotency-Key ${JSON.stringify(key).slice(0, 20)}`,
      path: money[0]!,
      body: '{"amount":100}',
      headers: { ...JSON_TYPE, "idempotency-key": key },
    });
  }
  // Query strings that are not what the routes take.
  for (const query of [
    "limit=0",
    "limit=-1",
    "limit=abc",
    "limit=1e2",
    "limit=101",
    "cursor=abc",
    "cursor=-5",
    "type=everything",
    "from=2026-02-30",
    "to=tomorrow",
    "sort=asc",
    "limit=1&limit=2",
    "cursor=%00",
  ]) {
    cases.push({ name: `statement ?${query}`, method: "GET", path: `/accounts/${accountId}/statement?${query}`, headers: {} });
  }
  for (const query of ["accountId=1", "accountId=%00", "limit=0", "cursor=!!", "status=held"]) {
    cases.push({ name: `transfers ?${query}`, method: "GET", path: `/transfers?${query}`, headers: {} });
  }
  cases.push({ name: "accounts list with a query", method: "GET", path: "/accounts?all=true", headers: {} });
  return cases;
}

const anonymous = (tag: string): Case[] => {
  const cases: Case[] = [];
  for (const path of ["/auth/signup", "/auth/token"]) {
    for (const body of [...BAD_JSON.slice(0, 6), ...NOT_OBJECTS.slice(0, 3)])
      cases.push({ name: `bad body ${JSON.stringify(body)} to ${path}`, path, body, headers: JSON_TYPE });
    for (const type of BAD_TYPES.slice(0, 4))
      cases.push({ name: `content type ${type} to ${path}`, path, body: "{}", headers: { "content-type": type } });
    cases.push({
      name: `oversized to ${path}`,
      path,
      body: JSON.stringify({ email: `${tag}@example.com`, password: "p".repeat(20_000) }),
      headers: JSON_TYPE,
    });
  }
  for (const body of [
    { name: "Corpus", email: `${tag}-a@example.com` },
    { name: "Corpus", email: `${tag}-b@example.com`, password: "short" },
    { name: "Nul\u0000", email: `${tag}-c@example.com`, password: "long enough phrase" },
    { name: "Corpus", email: `${tag}-d@example.com`, password: "long enough phrase", role: "admin" },
    { name: "Corpus", email: "not an email", password: "long enough phrase" },
    { name: ["Corpus"], email: `${tag}-e@example.com`, password: "long enough phrase" },
    { name: "Corpus", email: `${tag}-f@example.com`, password: 1234567890123 },
  ]) {
    cases.push({ name: `sign-up ${JSON.stringify(body).slice(0, 50)}`, path: "/auth/signup", body: JSON.stringify(body), headers: JSON_TYPE });
  }
  for (const body of [
    { email: `${tag}-g@example.com` },
    { password: "whatever it is" },
    { email: `${tag}\u0000@example.com`, password: "whatever it is" },
    { email: "not an email", password: "whatever it is" },
    { email: `${tag}-h@example.com`, password: "" },
    { email: `${tag}-i@example.com`, password: "whatever it is", remember: true },
    { email: 5, password: 5 },
  ]) {
    cases.push({ name: `token ${JSON.stringify(body).slice(0, 50)}`, path: "/auth/token", body: JSON.stringify(body), headers: JSON_TYPE });
  }
  return cases;
};

function expectHarmless(response: Reply, name: string): void {
  expect(response.status, `${name}: ${response.text.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
  expect(response.status, name).toBeLessThan(500);
  expect(response.headers["content-type"], name).toBe("application/problem+json");
  expect(response.body, name).toMatchObject({
    type: expect.any(String),
    title: expect.any(String),
    status: response.status,
    detail: expect.any(String),
    code: expect.any(String),
  });
  expect(response.text, name).not.toMatch(LEAKS);
}

test("at least 200 malformed requests get only 4xx problems, leak nothing, and record nothing", async ({ request }) => {
  test.setTimeout(90_000);
  const started = new Date(Date.now() - 1000).toISOString();
  const customer = await newCustomer(request, "Corpus Carla");
  const main = await openAccount(customer.api, "EUR");
  const other = await openAccount(customer.api, "EUR");
  await deposit(customer.api, main.id, 10_000);
  const adminToken = await tokenFor(request, DEMO_ADMIN);
  const admin = client(request, adminToken);
  const before = { main: await account(customer.api, main.id), other: await account(customer.api, other.id) };
  const trail = async () => (await admin.get<{ entries: unknown[] }>(`/admin/audit?actor=${customer.id}&limit=200`)).body.entries.length;
  const trailBefore = await trail();

  const tag = `corpus-${randomBytes(5).toString("hex")}`;
  const customerCases = corpus(main.id, other.number);
  const adminCases: Case[] = [
    ...["{", "[]", '{"reason":""}', '{"reason":5}', '{"reason":"x","category":"none"}', '{"reason":"x","note":1}', '{"reason":"nul\\u0000"}'].map(
      (body) => ({
        name: `freeze ${body}`,
        path: `/admin/accounts/${main.id}/freeze`,
        body,
        headers: JSON_TYPE,
      }),
    ),
    ...['{"reason":""}', "{}", '{"why":"x"}'].map((body) => ({
      name: `unfreeze ${body}`,
      path: `/admin/accounts/${main.id}/unfreeze`,
      body,
      headers: JSON_TYPE,
    })),
    ...['{"reason":""}', "[]"].flatMap((body) =>
      ["release", "reject"].map((action) => ({
        name: `${action} ${body}`,
        path: `/admin/transfers/${MISSING_ID}/${action}`,
        body,
        headers: JSON_TYPE,
      })),
    ),
    { name: "rebuild with fields", path: "/admin/projections/rebuild", body: '{"only":"audit_log"}', headers: JSON_TYPE },
    { name: "rebuild with text", path: "/admin/projections/rebuild", body: "now", headers: { "content-type": "text/plain" } },
    { name: "audit with a NUL actor", method: "GET", path: "/admin/audit?actor=%00", headers: {} },
    { name: "audit with a bad range", method: "GET", path: "/admin/audit?from=yesterday&to=2026-99-01", headers: {} },
    { name: "events with a bad cursor", method: "GET", path: `/admin/accounts/${main.id}/events?cursor=abc`, headers: {} },
  ];
  const anonymousCases = anonymous(tag);
  expect(customerCases.length + adminCases.length + anonymousCases.length).toBeGreaterThanOrEqual(200);

  const run = async (api: ReturnType<typeof client>, cases: Case[]) => {
    for (let i = 0; i < cases.length; i += 8) {
      await Promise.all(
        cases
          .slice(i, i + 8)
          .map(async (item) => expectHarmless(await api.raw(item.method ?? "POST", item.path, item.body, item.headers), item.name)),
      );
    }
  };
  await run(customer.api, customerCases);
  await run(admin, adminCases);
  await run(client(request), anonymousCases);

  // Nothing was recorded: the accounts are as they were, the customer's audit trail did not grow,
  // and no sign-up or sign-in attempt of the corpus reached the log.
  expect(await account(customer.api, main.id)).toEqual(before.main);
  expect(await account(customer.api, other.id)).toEqual(before.other);
  expect(await trail()).toBe(trailBefore);
  expect((await customer.api.get<{ transfers: unknown[] }>("/transfers")).body.transfers).toEqual([]);
  for (const type of ["UserRegistered", "SignInFailed"]) {
    const recent = await admin.get<{ entries: { summary: string }[] }>(`/admin/audit?type=${type}&from=${encodeURIComponent(started)}&limit=200`);
    expect(recent.body.entries.filter((entry) => entry.summary.includes(tag))).toEqual([]);
  }
});
