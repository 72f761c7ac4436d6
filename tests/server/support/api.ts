import { randomBytes, randomUUID } from "node:crypto";

/** A tiny JSON API v1 client for server tests (plain fetch against a running server). */
export type Reply = { status: number; body: Record<string, unknown>; headers: Headers };

export function apiClient(baseUrl: string, token?: string) {
  async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
    const response = await fetch(`${baseUrl}/api/v1${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      redirect: "manual",
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {}, headers: response.headers };
  }
  return {
    get: (path: string, headers?: Record<string, string>) => call("GET", path, undefined, headers),
    post: (path: string, body?: unknown, headers?: Record<string, string>) => call("POST", path, body, headers),
  };
}

export type ApiCustomer = { email: string; password: string; token: string; api: ReturnType<typeof apiClient> };

/** Signs a fresh customer up through the API and issues a bearer token. */
export async function newCustomer(baseUrl: string): Promise<ApiCustomer> {
  const email = `obs-${randomBytes(6).toString("hex")}@example.com`;
  const password = "correct horse battery";
  const anonymous = apiClient(baseUrl);
  const signedUp = await anonymous.post("/auth/signup", { name: "Obs Customer", email, password });
  if (signedUp.status !== 201) throw new Error(`sign-up answered ${signedUp.status}: ${JSON.stringify(signedUp.body)}`);
  const issued = await anonymous.post("/auth/token", { email, password });
  if (issued.status !== 200) throw new Error(`token answered ${issued.status}: ${JSON.stringify(issued.body)}`);
  const token = String(issued.body.token);
  return { email, password, token, api: apiClient(baseUrl, token) };
}

export const idempotencyKey = () => ({ "idempotency-key": randomUUID() });
