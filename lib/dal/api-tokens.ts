import "server-only";
import { randomUUID } from "node:crypto";
import { type ApiTokenSummary, issueApiToken, listApiTokens, revokeApiToken, TokenAlreadyIssuedError } from "../auth/api-tokens";
import { database } from "../db";
import { ValidationError } from "../domain/shared/errors";
import { recentlyAuthenticated } from "../auth/sessions";
import { REAUTH_MESSAGE } from "./security";
import { currentSession, currentUser, requireUser } from "./session";

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

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const text = (formData: FormData, key: string) => {
  const value = formData.get(key);
  return typeof value === "string" ? value : "";
};

export async function createMyApiToken(formData: FormData): Promise<CreateTokenFormState> {
  const values = { name: text(formData, "name"), lifetimeDays: text(formData, "lifetimeDays"), scope: text(formData, "scope") || "full" };
  const checked = await currentSession();
  if (!checked) return { status: "error", message: "Your session has ended. Sign in again to continue.", values };
  const { user } = checked;
  // A stolen session cookie alone must not mint a long-lived token: a recent proof of identity is needed.
  if (!recentlyAuthenticated(checked.session)) return { status: "error", message: REAUTH_MESSAGE, values, commandId: text(formData, "commandId") };
  const { db } = await database();
  const commandId = text(formData, "commandId");
  if (!UUID.test(commandId)) return { status: "error", message: "This form has expired. Reload the page and try again.", values, commandId: randomUUID() };
  try {
    const { token, summary } = await issueApiToken(db, user, values, { via: "portal", commandId });
    return { status: "created", token, name: summary.name, expiresAt: summary.expiresAt.toISOString(), commandId: randomUUID() };
  } catch (error) {
    if (error instanceof ValidationError) {
      return { status: "invalid", fieldErrors: { name: error.fieldErrors.name, lifetimeDays: error.fieldErrors.lifetimeDays }, values, commandId };
    }
    if (error instanceof TokenAlreadyIssuedError) {
      return {
        status: "error",
        message: "This form was already sent and the token was created; its secret is shown only once. If you did not copy it, revoke it below and create another.",
        commandId: randomUUID(),
      };
    }
    throw error;
  }
}

/** Revokes one of the signed-in user's tokens; a token id of someone else's changes nothing. */
export async function revokeMyApiToken(formData: FormData): Promise<boolean> {
  const user = await currentUser();
  if (!user) return false;
  const { db } = await database();
  return revokeApiToken(db, user, formData.get("tokenId"), { via: "portal" });
}
