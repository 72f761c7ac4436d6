import type { StoredReply } from "../event-store/handle-command";
import { toJsonText } from "./json";
import type { Operation } from "./operations";
import type { ApiProblem } from "./problem";

/**
 * A response a handler built inside its command's transaction, kept with the Idempotency-Key and
 * answered as it is (the route adds headers only), so a retry gets the very bytes the first
 * request got.
 */
export class ApiReply {
  constructor(
    readonly stored: StoredReply,
    /** True when this is the stored answer of an earlier request with the same key. */
    readonly replayed: boolean,
  ) {}
}

/** The operation's success response with this body. */
export const successReply = (operation: Pick<Operation, "success">, body: unknown): StoredReply => ({
  status: operation.success.status,
  body: operation.success.status === 204 ? "" : toJsonText(body),
});

/** An expected failure that was recorded (a refusal is an event), kept and replayed like a success. */
export const problemReply = (problem: ApiProblem): StoredReply => ({ status: problem.status, body: toJsonText(problem.body()) });

/** The answer of a command run with a `reply` (first time or replayed). */
export function replyOf(result: { readonly reply?: StoredReply; readonly replayed: boolean }): ApiReply {
  if (!result.reply) throw new Error("The command ran without a reply, or replayed one that kept none");
  return new ApiReply(result.reply, result.replayed);
}

/** A file answered as it is (a PDF statement): never stored with an Idempotency-Key (read operations have none). */
export class FileReply {
  constructor(
    readonly contentType: string,
    readonly filename: string,
    readonly bytes: Uint8Array,
  ) {}
}
