import { randomBytes } from "node:crypto";

import { expect, test } from "@playwright/test";

import { client, DEMO_CUSTOMER, errorFields, expectProblem, newCustomer, tokenFor } from "./support/api";
import { signIn } from "./support/customer";

test("sign-up makes a customer, and the token it exchanges email and password for acts as them", async ({ request }) => {
  const email = `api-${randomBytes(6).toString("hex")}@example.com`;
  const signedUp = await client(request).post("/auth/signup", { name: "Sign Up", email: email.toUpperCase(), password: "lantern orchard river" });
  expect(signedUp.status).toBe(201);
  expect(signedUp.body).toEqual({ user: { id: expect.any(String), email, name: "Sign Up", role: "customer" } });
  expect(JSON.stringify(signedUp.body)).not.toContain("lantern");

  const issued = await client(request).post<{ token: string; expiresAt: string }>("/auth/token", { email, password: "lantern orchard river" });
  expect(issued.status).toBe(200);
  expect(Object.keys(issued.body).sort()).toEqual(["expiresAt", "token"]);
  expect(issued.body.token).toMatch(/^llt_[A-Za-z0-9_-]{43}$/);
  const days = (Date.parse(issued.body.expiresAt) - Date.now()) / 86_400_000;
  expect(days).toBeGreaterThan(29.9);
  expect(days).toBeLessThan(30.1);

  const accounts = await client(request, issued.body.token).get("/accounts");
  expect(accounts.status).toBe(200);
  expect(accounts.body).toEqual({ accounts: [] });
});

test("sign-up lists every field's problem, refuses unknown fields, a common password and an email already taken", async ({ request }) => {
  const api = client(request);
  const empty = await api.post("/auth/signup", {});
  expectProblem(empty, 422, "VALIDATION_FAILED");
  expect(errorFields(empty)).toEqual(["email", "name", "password"]);

  const bad = await api.post("/auth/signup", { name: "", email: "not-an-email", password: "short", admin: true });
  expectProblem(bad, 422, "VALIDATION_FAILED");
  expect(new Set(errorFields(bad))).toEqual(new Set(["admin", "email", "name", "password"]));

  const common = await api.post("/auth/signup", {
    name: "Common",
    email: `c-${randomBytes(4).toString("hex")}@example.com`,
    password: "password123",
  });
  expectProblem(common, 422, "VALIDATION_FAILED");
  expect(errorFields(common)).toEqual(["password"]);

  const taken = await api.post("/auth/signup", { name: "Dana Again", email: DEMO_CUSTOMER.email, password: "another long phrase" });
  expectProblem(taken, 422, "VALIDATION_FAILED");
  expect(taken.body.errors).toEqual([{ field: "email", message: "An account with this email already exists. Sign in instead." }]);

  const role = await api.post("/auth/signup", {
    name: "Mallory",
    email: `m-${randomBytes(4).toString("hex")}@example.com`,
    password: "sneaky long phrase",
    role: "admin",
  });
  expectProblem(role, 422, "VALIDATION_FAILED");
  expect(errorFields(role)).toEqual(["role"]);
});

test("the token endpoint answers 401 to wrong credentials, 422 to malformed ones, and shares the sign-in throttle (429)", async ({
  request,
  page,
}) => {
  const customer = await newCustomer(request, "Throttle Target");
  const api = client(request);
  const missing = await api.post("/auth/token", {});
  expectProblem(missing, 422, "VALIDATION_FAILED");
  expect(errorFields(missing)).toEqual(["email", "password"]);
  const extra = await api.post("/auth/token", { email: customer.email, password: customer.password, scope: "admin" });
  expectProblem(extra, 422, "VALIDATION_FAILED");
  expect(errorFields(extra)).toEqual(["scope"]);

  expectProblem(
    await api.post("/auth/token", { email: `nobody-${randomBytes(4).toString("hex")}@example.com`, password: "whatever it is" }),
    401,
    "INVALID_CREDENTIALS",
  );
  for (let attempt = 1; attempt <= 4; attempt++) {
    expectProblem(await api.post("/auth/token", { email: customer.email, password: `wrong ${attempt}` }), 401, "INVALID_CREDENTIALS");
  }
  const fifth = await api.post("/auth/token", { email: customer.email, password: "wrong 5" });
  expect([401, 429]).toContain(fifth.status);
  // Locked now: even the right password is refused, with how long to wait.
  const locked = await api.post("/auth/token", { email: customer.email, password: customer.password });
  expectProblem(locked, 429, "TOO_MANY_ATTEMPTS");
  expect(Number(locked.headers["retry-after"])).toBeGreaterThan(800);
  // One limiter: the portal's sign-in is locked too. A token made before keeps working.
  await signIn(page, customer.email, customer.password);
  await expect(page.getByRole("form").getByRole("alert")).toContainText("Too many failed attempts");
  expect((await customer.api.get("/accounts")).status).toBe(200);
});

test("a revoked token stops working at once; DELETE /auth/token revokes the token it is sent with", async ({ request }) => {
  const customer = await newCustomer(request, "Revoking Rita");
  const second = await tokenFor(request, { email: customer.email, password: customer.password });
  const revoked = await customer.api.delete("/auth/token");
  expect(revoked.status).toBe(204);
  expect(revoked.text).toBe("");
  const after = await customer.api.get("/accounts");
  expectProblem(after, 401, "UNAUTHENTICATED");
  expect(after.headers["www-authenticate"]).toContain('error="invalid_token"');
  expect((await client(request, second).get("/accounts")).status).toBe(200);
});
