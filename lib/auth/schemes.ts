import { randomBytes, randomUUID } from "node:crypto";

import type { Database } from "../db/client";
import type { CommandMetadata } from "../domain/shared/decider";
import { issueApiToken } from "./api-tokens";
import { registerUser, type SessionUser } from "./users";

/**
 * A payment scheme: a user of role `scheme` that nobody signs in as (its password is random and
 * thrown away, and the portal refuses the role) with one API token, shown once. The scheme's token
 * may call only the /api/v1/scheme operations.
 */
export async function createScheme(
  db: Database,
  input: { name: string; email?: string; tokenDays?: 1 | 7 | 30 | 90 | 365 },
  /** Who made it: an admin over the API, or the CLI (system). */
  actor: CommandMetadata["actor"] = { id: "scheme-admin", role: "system" },
  origin: "api" | "cli" = "cli",
): Promise<{ scheme: SessionUser; token: string; expiresAt: Date }> {
  const email = input.email ?? `scheme-${randomUUID().slice(0, 8)}@schemes.ledgerline.invalid`;
  const scheme = await registerUser(
    db,
    { name: input.name, email, password: randomBytes(32).toString("base64url") },
    { role: "scheme", metadata: { now: new Date(), origin, actor } },
  );
  const { token, summary } = await issueApiToken(
    db,
    scheme,
    { name: `${input.name} scheme`.slice(0, 60), lifetimeDays: input.tokenDays ?? 365 },
    { via: "api" },
  );
  return { scheme, token, expiresAt: summary.expiresAt };
}
