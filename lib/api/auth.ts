import { authenticateToken, type TokenUser } from "../auth/api-tokens";
import type { Database } from "../db/client";
import { ApiProblem } from "./problem";

const CHALLENGE = 'Bearer realm="ledgerline"';

/**
 * The user behind the request's `Authorization: Bearer <token>`. Only the header counts: a session
 * cookie never authenticates an API call (so a page on another site cannot make the browser call
 * the API with the visitor's cookie).
 */
export async function bearerUser(db: Database, request: Request): Promise<TokenUser> {
  const token = bearerToken(request);
  const user = token ? await authenticateToken(db, token) : undefined;
  if (!user) throw invalidToken();
  return user;
}

/** The token the request sends (undefined: a header that is not `Bearer <token>`), not yet checked. */
export function bearerToken(request: Request): string | undefined {
  const header = request.headers.get("authorization");
  if (!header) {
    throw new ApiProblem("UNAUTHENTICATED", "Send Authorization: Bearer <token>; POST /api/v1/auth/token makes one.", {
      headers: { "www-authenticate": CHALLENGE },
    });
  }
  return /^Bearer +([^\s]+) *$/i.exec(header)?.[1] || undefined;
}

export const invalidToken = () =>
  new ApiProblem("UNAUTHENTICATED", "The bearer token is not valid: it is malformed, unknown, expired or revoked.", {
    headers: { "www-authenticate": `${CHALLENGE}, error="invalid_token"` },
  });
