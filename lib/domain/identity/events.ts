import { z } from "zod";
import { defineEventCodec } from "../shared/codec";
import type { Message } from "../shared/decider";

export const ROLES = ["customer", "admin"] as const;
export type Role = (typeof ROLES)[number];

/** Identity facts kept in the log so the audit trail shows who joined and every failed sign-in. */
export type UserRegistered = Message<"UserRegistered", { userId: string; name: string; email: string; role: Role }>;
export type SignInFailed = Message<
  "SignInFailed",
  { email: string; reason: "BAD_CREDENTIALS" | "THROTTLED"; ip: string | null }
>;
/** A personal API token was made (its hash is kept, never the token) or revoked by its owner. */
export type ApiTokenIssued = Message<"ApiTokenIssued", { tokenId: string; name: string; prefix: string; expiresAt: string; via: "api" | "portal"; scope?: "full" | "read" | "webhooks" }>;
export type ApiTokenRevoked = Message<"ApiTokenRevoked", { tokenId: string; name: string; prefix: string }>;
export type IdentityEvent = UserRegistered | SignInFailed | ApiTokenIssued | ApiTokenRevoked;

export const USER_STREAM_TYPE = "user";
export const userStreamId = (userId: string) => `user-${userId}`;
/** Failed sign-ins for an email nobody registered still need a home in the log. */
export const SIGNIN_STREAM_TYPE = "signin";

export const identityEventCodec = defineEventCodec<IdentityEvent>({
  UserRegistered: {
    version: 1,
    schema: z.object({ userId: z.string(), name: z.string(), email: z.string(), role: z.enum(ROLES) }),
  },
  SignInFailed: {
    version: 1,
    schema: z.object({ email: z.string(), reason: z.enum(["BAD_CREDENTIALS", "THROTTLED"]), ip: z.string().nullable() }),
  },
  ApiTokenIssued: {
    version: 1,
    schema: z.object({ tokenId: z.string(), name: z.string(), prefix: z.string(), expiresAt: z.string(), via: z.enum(["api", "portal"]), scope: z.enum(["full", "read", "webhooks"]).optional() }),
  },
  ApiTokenRevoked: {
    version: 1,
    schema: z.object({ tokenId: z.string(), name: z.string(), prefix: z.string() }),
  },
});
