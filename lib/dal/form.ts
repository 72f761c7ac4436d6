import "server-only";
import { randomUUID } from "node:crypto";
import type { CheckedSession } from "../auth/sessions";
import type { SessionUser } from "../auth/users";
import type { CommandMetadata } from "../domain/shared/decider";
import { DomainError, type FieldErrors, ValidationError } from "../domain/shared/errors";
import { isUuid } from "../domain/shared/uuid";
import { IdempotencyKeyReusedError } from "../event-store/errors";
import { requestIds } from "../request-context";
import { currentSession } from "./session";

/**
 * The one envelope of the portal's form actions: the session check, the form's command id, the
 * command's metadata and the mapping of every expected failure to words, so that an action is the
 * parsing of its fields and the command it runs. A form's command id is a UUID drawn when the page
 * was rendered: the idempotency key of its submit.
 */

/** A text field of a form; anything else (a missing field, a file) reads as "". */
export function formText(formData: FormData, key: string): string {
  const value = formData.get(key);
  return typeof value === "string" ? value : "";
}

/** The named text fields of a form. */
export function formValues<K extends string>(formData: FormData, keys: readonly K[]): Record<K, string> {
  return Object.fromEntries(keys.map((key) => [key, formText(formData, key)])) as Record<K, string>;
}

/** Who did it, from where, as the audit trail records it. */
export async function webMetadata(user: SessionUser, commandId?: string): Promise<CommandMetadata> {
  return { now: new Date(), actor: { id: user.id, role: user.role }, commandId, origin: "web", ...(await requestIds()) };
}

/** Every sentence the envelope says, in one table. */
export const FORM_MESSAGES = {
  sessionEnded: "Your session has ended. Sign in again to continue.",
  expired: "This form has expired. Reload the page and try again.",
  reused: (check: string) => `This form was already sent with other details. Check ${check} before trying again.`,
} as const;

/**
 * A refusal the form shows as one message, thrown from `run` (an account that is not the user's,
 * a feature that is off). `keepCommandId`: the same submit may be sent again once the cause is gone.
 */
export class FormRefusal extends Error {
  readonly keepCommandId: boolean;
  constructor(message: string, options: { keepCommandId?: boolean } = {}) {
    super(message);
    this.name = "FormRefusal";
    this.keepCommandId = options.keepCommandId ?? false;
  }
}

/** Field errors found before the command runs; shorthand for a ValidationError of one field. */
export function fieldError(field: string, message: string): ValidationError {
  return new ValidationError({ [field]: [message] });
}

export type FormFailure =
  /** The input needs fixing: the next submit carries the same command id. */
  | { ok: false; kind: "invalid"; fieldErrors: FieldErrors; commandId: string }
  /** Refused as a whole: the next submit is a new command. */
  | { ok: false; kind: "error"; message: string; commandId: string };

export type FormOutcome<R> = { ok: true; value: R; commandId: string } | FormFailure;

type Spec<R> = {
  /**
   * "required": a submit without a well-formed command id is refused as expired (a form that
   * changes something). "draw": one is drawn when missing (a form whose first step only reviews).
   */
  commandId: "required" | "draw";
  /** Where the customer looks when the command id was already used for another request ("your transfers"). */
  check: string;
  run: (input: { user: SessionUser; session: CheckedSession["session"]; commandId: string; metadata: CommandMetadata }) => Promise<R>;
};

/**
 * Runs a form's command for the signed-in user. Expected failures (validation, a refusal, a domain
 * error, a command id used for other details) come back as a failure with the command id the next
 * submit must carry; anything else is a bug and is thrown.
 */
export async function formCommand<R>(formData: FormData, spec: Spec<R>): Promise<FormOutcome<R>> {
  const given = formText(formData, "commandId");
  const valid = isUuid(given);
  const commandId = valid ? given : randomUUID();
  const fresh = (message: string): FormFailure => ({ ok: false, kind: "error", message, commandId: randomUUID() });
  const checked = await currentSession();
  if (!checked) return fresh(FORM_MESSAGES.sessionEnded);
  if (!valid && spec.commandId === "required") return fresh(FORM_MESSAGES.expired);
  try {
    const { id, email, name, role } = checked.user;
    const user = { id, email, name, role };
    const value = await spec.run({ user, session: checked.session, commandId, metadata: await webMetadata(user, commandId) });
    return { ok: true, value, commandId };
  } catch (error) {
    if (error instanceof ValidationError) return { ok: false, kind: "invalid", fieldErrors: error.fieldErrors, commandId };
    if (error instanceof FormRefusal) return error.keepCommandId ? { ok: false, kind: "error", message: error.message, commandId } : fresh(error.message);
    if (error instanceof IdempotencyKeyReusedError) return fresh(FORM_MESSAGES.reused(spec.check));
    if (error instanceof DomainError) return fresh(error.message);
    throw error;
  }
}

/** The first message of each field, for forms that show one per field. */
export function pickFields<K extends string>(fieldErrors: FieldErrors, keys: readonly K[]): Partial<Record<K, string[]>> {
  return Object.fromEntries(keys.flatMap((key) => (fieldErrors[key] ? [[key, fieldErrors[key]]] : []))) as Partial<Record<K, string[]>>;
}
