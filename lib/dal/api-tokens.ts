import "server-only";

import { randomUUID } from "node:crypto";

import { issueApiToken, listApiTokens, revokeApiToken, TokenAlreadyIssuedError, type ApiTokenSummary } from "../auth/api-tokens";
import { recentlyAuthenticated } from "../auth/sessions";
import { database } from "../db";
import { formCommand, FormRefusal, formText, formValues, pickFields } from "./form";
import { REAUTH_MESSAGE } from "./security";
import { currentUser, requireUser } from "./session";

/** A token as the settings page shows it: never the token, only its first characters. */
export type ApiTokenDto = Omit<ApiTokenSummary, "createdAt" | "expiresAt" | "lastUsedAt" | "revokedAt"> & {
  createdAt: string;
  expiresAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
};

const toDto = (token: ApiTokenSummary): ApiTokenDto => ({
  ...token,
  createdAt: token.createdAt.toISOString(),
  expiresAt: token.expiresAt.toISOString(),
  lastUsedAt: token.lastUsedAt?.toISOString() ?? null,
  revokedAt: token.revokedAt?.toISOString() ?? null,
});

export async function listMyApiTokens(): Promise<ApiTokenDto[]> {
  const user = await requireUser();
  const { db } = await database();
  return (await listApiTokens(db, user.id)).map(toDto);
}

export type CreateTokenFormState = {
  status: "idle" | "created" | "invalid" | "error";
  /** The command id the next submit must carry. */
  commandId?: string;
  /** Shown once, right after it is made. */
  token?: string;
  name?: string;
  expiresAt?: string;
  message?: string;
  fieldErrors?: { name?: string[]; lifetimeDays?: string[]; scope?: string[] };
  values?: { name: string; lifetimeDays: string; scope: string };
};

export async function createMyApiToken(formData: FormData): Promise<CreateTokenFormState> {
  const values = { ...formValues(formData, ["name", "lifetimeDays"]), scope: formText(formData, "scope") || "full" };
  const outcome = await formCommand(formData, {
    commandId: "required",
    check: "your tokens",
    async run({ user, session, commandId }) {
      // A stolen session cookie alone must not mint a long-lived token: a recent proof of identity is needed.
      if (!recentlyAuthenticated(session)) throw new FormRefusal(REAUTH_MESSAGE, { keepCommandId: true });
      const { db } = await database();
      try {
        return await issueApiToken(db, user, values, { via: "portal", commandId });
      } catch (error) {
        if (!(error instanceof TokenAlreadyIssuedError)) throw error;
        throw new FormRefusal(
          "This form was already sent and the token was created; its secret is shown only once. If you did not copy it, revoke it below and create another.",
        );
      }
    },
  });
  if (!outcome.ok) {
    return outcome.kind === "invalid"
      ? { status: "invalid", fieldErrors: pickFields(outcome.fieldErrors, ["name", "lifetimeDays", "scope"]), values, commandId: outcome.commandId }
      : { status: "error", message: outcome.message, values, commandId: outcome.commandId };
  }
  const { token, summary } = outcome.value;
  return { status: "created", token, name: summary.name, expiresAt: summary.expiresAt.toISOString(), commandId: randomUUID() };
}

/** Revokes one of the signed-in user's tokens; a token id of someone else's changes nothing. */
export async function revokeMyApiToken(formData: FormData): Promise<boolean> {
  const user = await currentUser();
  if (!user) return false;
  const { db } = await database();
  return revokeApiToken(db, user, formData.get("tokenId"), { via: "portal" });
}
