import "server-only";

import { issueApiToken, revokeApiToken } from "../../auth/api-tokens";
import { consumeRateLimit } from "../../auth/rate-limits";
import { hasSecondFactor, spendSecondFactor } from "../../auth/second-factor";
import { registerUser, verifyCredentials } from "../../auth/users";
import { clientAddress } from "../../client-address";
import { env } from "../../env";
import type { operations } from "../operations";
import { ApiProblem } from "../problem";
import type { Handler } from "../route";

/** Tokens made by POST /auth/token last this long; the portal offers other lifetimes. */
export const API_SIGN_IN_TOKEN_DAYS = 30;

export const signUp: Handler<typeof operations.signUp> = async ({ ctx, body, metadata, request }) => {
  const user = await registerUser(ctx.db, body, {
    address: clientAddress(request.headers),
    metadata: { now: metadata.now, origin: "api", requestId: metadata.requestId, correlationId: metadata.correlationId },
    verification: { origin: env().AUTH_URL ? new URL(env().AUTH_URL!).origin : new URL(request.url).origin },
  });
  return { user };
};

/** Email and password to a token, through the portal's own check and sign-in throttle. */
export const createToken: Handler<typeof operations.createToken> = async ({ ctx, body, request, metadata }) => {
  const address = clientAddress(request.headers);
  const result = await verifyCredentials(ctx.db, body, address);
  if (!result.ok) {
    if (result.reason === "THROTTLED") {
      throw new ApiProblem("TOO_MANY_ATTEMPTS", `Too many failed attempts. Try again in ${Math.ceil(result.retryAfterSeconds / 60)} minutes.`, {
        headers: { "retry-after": String(result.retryAfterSeconds) },
      });
    }
    throw new ApiProblem("INVALID_CREDENTIALS", "That email and password do not match an account.");
  }
  // The password alone must not mint a token for an account with a second factor.
  if ((await hasSecondFactor(ctx.db, result.user.id)) && !(await spendSecondFactor(ctx.db, result.user, body.code, metadata.now))) {
    throw new ApiProblem(
      "SECOND_FACTOR_REQUIRED",
      "This account has a second factor: send `code`, the six digits its authenticator app shows now, or a recovery code.",
    );
  }
  await consumeRateLimit(ctx.db, "tokenIssue", { address, account: result.user.id });
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
