import "server-only";

import { randomUUID } from "node:crypto";

import type { CheckedSession } from "../auth/sessions";
import type { SessionUser } from "../auth/users";
import type { CommandMetadata } from "../domain/shared/decider";
import { DomainError, ValidationError, type DomainErrorCode, type FieldErrors } from "../domain/shared/errors";
import { isUuid } from "../domain/shared/uuid";
import { IdempotencyKeyReusedError } from "../event-store/errors";
import { requestIds } from "../request-context";
import { adminMetadata, currentAdmin, NOT_AN_ADMIN_MESSAGE } from "./admin/access";
import { currentSession } from "./session";

/**
 * The one envelope of the portal's and the back office's form actions: who may send it (the
 * session, or the admin role), the form's command id, the command's metadata and the mapping of
 * every expected failure to words, so that an action is the parsing of its fields and the command
 * it runs. A form's command id is a UUID drawn when the page was rendered: the idempotency key of
 * its submit.
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
  /** The back office's: its pages show where an item stands once reloaded. */
  reusedReload: (what: string) => `This form was already sent with other details. Reload the page to see where ${what} stands.`,
  notAnAdmin: NOT_AN_ADMIN_MESSAGE,
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

type CommonSpec = {
  /**
   * "required": a submit without a well-formed command id is refused as expired (a form that
   * changes something). "draw": one is drawn when missing (a form whose first step only reviews).
   * "none": the form records nothing under a form id (a settings change, a decision refused when
   * repeated); the metadata then carries no command id.
   */
  commandId: "required" | "draw" | "none";
  /**
   * Where the customer looks when the command id was already used for another request ("your
   * transfers"; for the back office, what the reloaded page shows: "the account"). A form with no
   * command id of its own cannot meet that.
   */
  check?: string;
  /** The form's own words for some domain refusals, by code; any other says its own message. */
  refusals?: Partial<Record<DomainErrorCode, string | ((error: DomainError) => string)>>;
};

type Spec<R> = CommonSpec & {
  run: (input: { user: SessionUser; session: CheckedSession["session"]; commandId: string; metadata: CommandMetadata }) => Promise<R>;
};

type AdminSpec<R> = CommonSpec & {
  run: (input: { admin: SessionUser; commandId: string; metadata: CommandMetadata }) => Promise<R>;
};

/**
 * Runs a form's command for the signed-in user. Expected failures (validation, a refusal, a domain
 * error, a command id used for other details) come back as a failure with the command id the next
 * submit must carry; anything else is a bug and is thrown.
 */
export async function formCommand<R>(formData: FormData, spec: Spec<R>): Promise<FormOutcome<R>> {
  return envelope(formData, spec, FORM_MESSAGES.reused(spec.check ?? "the page"), async () => {
    const checked = await currentSession();
    if (!checked) return { refused: FORM_MESSAGES.sessionEnded };
    const { id, email, name, role } = checked.user;
    const user = { id, email, name, role };
    return {
      run: async (commandId) => spec.run({ user, session: checked.session, commandId, metadata: await webMetadata(user, keyOf(spec, commandId)) }),
    };
  });
}

/**
 * The same envelope for the back office: the caller must be an admin now (role, second factor, and
 * the users row agreeing), or the form answers "Not found." and nothing runs.
 */
export async function adminFormCommand<R>(formData: FormData, spec: AdminSpec<R>): Promise<FormOutcome<R>> {
  return envelope(formData, spec, FORM_MESSAGES.reusedReload(spec.check ?? "it"), async () => {
    const admin = await currentAdmin();
    if (!admin) return { refused: FORM_MESSAGES.notAnAdmin };
    return { run: async (commandId) => spec.run({ admin, commandId, metadata: await adminMetadata(admin, keyOf(spec, commandId)) }) };
  });
}

/** The command id the metadata carries: none for a form that records nothing under one. */
const keyOf = (spec: CommonSpec, commandId: string) => (spec.commandId === "none" ? undefined : commandId);

/** Who sent the form: the sentence that refuses them, or how to run the form's command for them. */
type Caller<R> = { refused: string } | { run: (commandId: string) => Promise<R> };

/** The command id and the one mapping of expected failures, shared by the customer's and the admin's envelope. */
async function envelope<R>(formData: FormData, spec: CommonSpec, reused: string, caller: () => Promise<Caller<R>>): Promise<FormOutcome<R>> {
  const given = formText(formData, "commandId");
  const valid = isUuid(given);
  const commandId = valid ? given : randomUUID();
  const fresh = (message: string): FormFailure => ({ ok: false, kind: "error", message, commandId: randomUUID() });
  const who = await caller();
  if ("refused" in who) return fresh(who.refused);
  if (!valid && spec.commandId === "required") return fresh(FORM_MESSAGES.expired);
  try {
    return { ok: true, value: await who.run(commandId), commandId };
  } catch (error) {
    if (error instanceof ValidationError) return { ok: false, kind: "invalid", fieldErrors: error.fieldErrors, commandId };
    if (error instanceof FormRefusal)
      return error.keepCommandId ? { ok: false, kind: "error", message: error.message, commandId } : fresh(error.message);
    if (error instanceof IdempotencyKeyReusedError) return fresh(reused);
    if (error instanceof DomainError) {
      const words = spec.refusals?.[error.code];
      return fresh(typeof words === "function" ? words(error) : (words ?? error.message));
    }
    throw error;
  }
}

/** The first message of each field, for forms that show one per field. */
export function pickFields<K extends string>(fieldErrors: FieldErrors, keys: readonly K[]): Partial<Record<K, string[]>> {
  return Object.fromEntries(keys.flatMap((key) => (fieldErrors[key] ? [[key, fieldErrors[key]]] : []))) as Partial<Record<K, string[]>>;
}
