import { randomUUID } from "node:crypto";

import { v5 } from "uuid";

import type { CommandMetadata } from "../domain/shared/decider";

/** Ledgerline's own UUIDv5 namespace, so derived ids cannot collide with anyone else's. */
const NAMESPACE = "3f0f7c4e-8d2b-4f7a-9a51-7c1e2b6d4a90";

/**
 * The id of what a command creates (a transfer, an account, a token): derived from who asked and
 * the command's idempotency key when it has one, so the retry of an attempt that crashed creates
 * nothing new: it meets the same id, and the key's record replays the first answer. Without a key
 * the id is random.
 */
export function createdId(
  kind: "transfer" | "account" | "token" | "payee" | "order" | "inbound-payment" | "webhook",
  metadata: Pick<CommandMetadata, "actor" | "commandId">,
): string {
  if (!metadata.commandId) return randomUUID();
  return v5(`${kind}\u0000${metadata.actor.id}\u0000${metadata.commandId}`, NAMESPACE);
}

/**
 * The approval stream of one subject (a transfer's release, an account's unfreeze): derived from
 * the subject, so two admins asking at once meet the same stream instead of making two requests.
 */
export function approvalIdFor(kind: string, subjectId: string): string {
  return v5(`approval\u0000${kind}\u0000${subjectId}`, NAMESPACE);
}
