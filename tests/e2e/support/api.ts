import { randomBytes, randomUUID } from "node:crypto";

import { expect, type APIRequestContext, type APIResponse } from "@playwright/test";

import { DEMO_ADMIN_TOTP_SECRET, oncePerSuite, totpCode } from "./totp";

// Helpers for the API tests: real HTTP against the production build Playwright serves.

export const API = "/api/v1";
export const DEMO_CUSTOMER = { email: "dana@ledgerline.dev", password: "sunny-harbour-42" };
export const DEMO_ADMIN = { email: "avery@ledgerline.dev", password: "steady-audit-42" };

export type Reply<Body = Record<string, unknown>> = { status: number; body: Body; text: string; headers: Record<string, string> };

async function reply<Body>(response: APIResponse): Promise<Reply<Body>> {
  const text = await response.text();
  let body: unknown = undefined;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: response.status(), body: body as Body, text, headers: response.headers() };
}

/** An API client for one bearer token (or none). */
export function client(request: APIRequestContext, token?: string) {
  const auth: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  return {
    get: async <Body = Record<string, unknown>>(path: string, headers: Record<string, string> = {}) =>
      reply<Body>(await request.get(API + path, { headers: { ...auth, ...headers }, maxRedirects: 0 })),
    post: async <Body = Record<string, unknown>>(path: string, data?: unknown, options: { key?: string; headers?: Record<string, string> } = {}) =>
      reply<Body>(
        await request.post(API + path, {
          headers: {
            ...auth,
            ...(data === undefined ? {} : { "content-type": "application/json" }),
            ...(options.key ? { "idempotency-key": options.key } : {}),
            ...options.headers,
          } as Record<string, string>,
          ...(data === undefined ? {} : { data: JSON.stringify(data) }),
          maxRedirects: 0,
        }),
      ),
    /** A POST with a raw body and exactly the headers given (plus the token). */
    raw: async (method: string, path: string, body: string | Buffer | undefined, headers: Record<string, string>) =>
      reply<Record<string, unknown>>(
        await request.fetch(API + path, { method, headers: { ...auth, ...headers }, ...(body === undefined ? {} : { data: body }), maxRedirects: 0 }),
      ),
    delete: async (path: string) => reply<Record<string, unknown>>(await request.delete(API + path, { headers: auth, maxRedirects: 0 })),
  };
}
export type Client = ReturnType<typeof client>;

export async function tokenFor(request: APIRequestContext, credentials: { email: string; password: string }): Promise<string> {
  if (credentials.email === DEMO_ADMIN.email) return demoAdminToken(request);
  const response = await client(request).post<{ token: string }>("/auth/token", credentials);
  expect(response.status, response.text).toBe(200);
  return response.body.token;
}

/**
 * The demo admin has a second factor, and each of its codes works once: the suite makes one admin
 * token (password and code) and shares it. No test revokes it.
 */
async function demoAdminToken(request: APIRequestContext): Promise<string> {
  const { value } = await oncePerSuite("admin-token", async () => {
    for (let attempt = 0; attempt < 4; attempt++) {
      const response = await client(request).post<{ token: string; code?: string }>("/auth/token", {
        ...DEMO_ADMIN,
        code: await totpCode(DEMO_ADMIN_TOTP_SECRET),
      });
      if (response.status === 200) return response.body.token;
      expect(response.body.code, response.text).toBe("SECOND_FACTOR_REQUIRED");
      await new Promise((resolve) => setTimeout(resolve, 30_000 - (Date.now() % 30_000) + 500));
    }
    throw new Error("no authentication code was accepted");
  });
  return value;
}

export type ApiCustomer = { id: string; name: string; email: string; password: string; token: string; api: Client };

/** A fresh customer per test, signed up and given a token through the API itself. */
export async function newCustomer(request: APIRequestContext, name = "Api Customer"): Promise<ApiCustomer> {
  const email = `api-${randomBytes(6).toString("hex")}@example.com`;
  const password = "correct horse battery";
  const signedUp = await client(request).post<{ user: { id: string } }>("/auth/signup", { name, email, password });
  expect(signedUp.status, signedUp.text).toBe(201);
  const token = await tokenFor(request, { email, password });
  return { id: signedUp.body.user.id, name, email, password, token, api: client(request, token) };
}

export type ApiAccount = {
  id: string;
  number: string;
  balance: number;
  available: number;
  reserved: number;
  status: string;
  version: number;
  currency: string;
};

export async function openAccount(api: Client, currency = "EUR", nickname?: string): Promise<ApiAccount> {
  const response = await api.post<{ account: ApiAccount }>("/accounts", { currency, ...(nickname ? { nickname } : {}) });
  expect(response.status, response.text).toBe(201);
  return response.body.account;
}

export async function deposit(api: Client, accountId: string, amount: number): Promise<ApiAccount> {
  const response = await api.post<{ account: ApiAccount }>(`/accounts/${accountId}/deposits`, { amount }, { key: randomUUID() });
  expect(response.status, response.text).toBe(201);
  return response.body.account;
}

export async function account(api: Client, accountId: string): Promise<ApiAccount> {
  const response = await api.get<{ account: ApiAccount }>(`/accounts/${accountId}`);
  expect(response.status, response.text).toBe(200);
  return response.body.account;
}

/** A problem answer: the status, the problem+json content type and shape, and its code. */
export function expectProblem(response: Reply, status: number, code: string): void {
  expect(response.status, response.text).toBe(status);
  expect(response.headers["content-type"]).toBe("application/problem+json");
  expect(response.body).toMatchObject({
    status,
    code,
    type: expect.stringMatching(/^https:\/\/ledgerline\.dev\/problems\//),
    title: expect.any(String),
    detail: expect.any(String),
  });
}

/** The fields named in a validation problem's errors. */
export const errorFields = (response: Reply) => ((response.body.errors ?? []) as { field: string }[]).map((error) => error.field).sort();

export const MISSING_ID = "00000000-0000-4000-8000-000000000000";
