import type { CommandMetadata } from "../domain/shared/decider";
import { DomainError } from "../domain/shared/errors";
import { log } from "../log";
import { metrics, type CommandOutcomeLabel } from "../observability/metrics";
import { CallerRefusedError, ConcurrencyError, IdempotencyKeyReusedError, isAppendConflict, sqlState } from "./errors";

/** Lets the command handler report what happens inside its retry loop. */
export type CommandProbe = { retried: (error: unknown) => void };

type Observed = { readonly replayed: boolean; readonly events: readonly { readonly type: string }[] };

/** Refusals are recorded as events named …Rejected or …Refused (see lib/domain/account/events.ts). */
const isRefusal = (type: string) => type.endsWith("Rejected") || type.endsWith("Refused");

export function outcomeOf(result: Observed): CommandOutcomeLabel {
  if (result.replayed) return "replayed";
  return result.events.some((event) => isRefusal(event.type)) ? "rejected" : "accepted";
}

/** Expected failures a caller caused (no such account, key reused) are refusals, not faults. */
function errorOutcome(error: unknown): CommandOutcomeLabel {
  return error instanceof DomainError || error instanceof IdempotencyKeyReusedError ? "rejected" : "error";
}

function retryReason(error: unknown): string {
  if (error instanceof ConcurrencyError || isAppendConflict(error)) return "concurrency";
  return sqlState(error) === "40P01" ? "deadlock" : "serialization";
}

/**
 * Counts, times and logs one command: one log line with its type, outcome, duration and ids.
 * Never the command's data: amounts and references belong to the customer.
 */
export async function observeCommand<Result extends Observed>(
  command: { readonly type: string },
  context: { readonly streamId: string; readonly metadata: CommandMetadata },
  run: (probe: CommandProbe) => Promise<Result>,
): Promise<Result> {
  const m = metrics();
  const started = performance.now();
  let retries = 0;
  const probe: CommandProbe = {
    retried(error) {
      retries++;
      m.commandRetries.inc({ command_type: command.type, reason: retryReason(error) });
    },
  };
  const line = (outcome: CommandOutcomeLabel) => {
    const seconds = (performance.now() - started) / 1000;
    m.commands.inc({ command_type: command.type, outcome });
    m.commandSeconds.observe({ command_type: command.type, outcome }, seconds);
    if (outcome === "replayed") m.idempotentReplays.inc({ layer: "command" });
    return {
      event: "command",
      commandType: command.type,
      outcome,
      durationMs: Math.round(seconds * 10_000) / 10,
      retries,
      streamId: context.streamId,
      actorRole: context.metadata.actor.role,
      origin: context.metadata.origin,
      requestId: context.metadata.requestId,
      correlationId: context.metadata.correlationId ?? context.metadata.commandId,
    };
  };
  // An API request logs one line for itself and its command (lib/api/route.ts): its fields join that
  // line, so a request costs one line, not two. Failures keep a line of their own, with the error.
  const joined = (fields: ReturnType<typeof line>) => context.metadata.logLine?.join(fields) === true;
  try {
    const result = await run(probe);
    const fields = line(outcomeOf(result));
    if (!joined(fields)) log().info(fields, "command handled");
    return result;
  } catch (error) {
    if (error instanceof CallerRefusedError) throw error;
    const outcome = errorOutcome(error);
    if (outcome === "error") log().error({ ...line(outcome), err: error }, "command failed");
    else {
      const fields = { ...line(outcome), code: (error as { code?: string }).code };
      if (!joined(fields)) log().info(fields, "command refused");
    }
    throw error;
  }
}
