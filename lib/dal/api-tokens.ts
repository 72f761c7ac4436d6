import "server-only";
import { type ApiTokenSummary, issueApiToken, listApiTokens, revokeApiToken } from "../auth/api-tokens";
import { database } from "../db";
import { ValidationError } from "../domain/shared/errors";
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
  /** Shown once, right after it is made. */
  token?: string;
  name?: string;
  expiresAt?: string;
  message?: string;
  fieldErrors?: { name?: string[]; lifetimeDays?: string[] };
  values?: { name: string; lifetimeDays: string };
};

const text = (formData: FormData, key: string) => {
  const value = formData.get(key);
  return typeof value === "string" ? value : "";
};

export async function createMyApiToken(formData: FormData): Promise<CreateTokenFormState> {
  const values = { name: text(formData, "name"), lifetimeDays: text(formData, "lifetimeDays") };
  const user = await currentUser();
  if (!user) return { status: "error", message: "Your session has ended. Sign in again to continue.", values };
  const { db } = await database();
  try {
    const { token, summary } = await issueApiToken(db, user, values, { via: "portal" });
    return { status: "created", token, name: summary.name, expiresAt: summary.expiresAt.toISOString() };
  } catch (error) {
    if (error instanceof ValidationError) {
      return { status: "invalid", fieldErrors: { name: error.fieldErrors.name, lifetimeDays: error.fieldErrors.lifetimeDays }, values };
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
