import "server-only";
import { issueApiToken, revokeApiToken } from "../../auth/api-tokens";
import { clientAddress } from "../../auth/config";
import { registerUser, verifyCredentials } from "../../auth/users";
import type { operations } from "../operations";
import { ApiProblem } from "../problem";
import type { Handler } from "../route";

/** Tokens made by POST /auth/token last this long; the portal offers other lifetimes. */
export const API_SIGN_IN_TOKEN_DAYS = 30;

export const signUp: Handler<typeof operations.signUp> = async ({ ctx, body, metadata }) => {
  const user = await registerUser(ctx.db, body, {
    metadata: { now: metadata.now, origin: "api", requestId: metadata.requestId, correlationId: metadata.correlationId },
  });
  return { user };
};

/** Email and password to a token, through the portal's own check and sign-in throttle. */
export const createToken: Handler<typeof operations.createToken> = async ({ ctx, body, request, metadata }) => {
  const result = await verifyCredentials(ctx.db, body, clientAddress(request.headers));
  if (!result.ok) {
    if (result.reason === "THROTTLED") {
      throw new ApiProblem("TOO_MANY_ATTEMPTS", `Too many failed attempts. Try again in ${Math.ceil(result.retryAfterSeconds / 60)} minutes.`, {
        headers: { "retry-after": String(result.retryAfterSeconds) },
      });
    }
    throw new ApiProblem("INVALID_CREDENTIALS", "That email and password do not match an account.");
  }
  const { token, summary } = await issueApiToken(
    ctx.db,
    result.user,
    { name: `API sign-in ${metadata.now.toISOString().slice(0, 10)}`, lifetimeDays: API_SIGN_IN_TOKEN_DAYS, scope: body.scope ?? "full" },
    { via: "api", now: metadata.now },
  );
  return { token, expiresAt: summary.expiresAt.toISOString() };
};

export const revokeToken: Handler<typeof operations.revokeToken> = async ({ ctx, user }) => {
  await revokeApiToken(ctx.db, user, user.tokenId, { via: "api" });
};
