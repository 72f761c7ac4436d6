import { randomUUID } from "node:crypto";

import { and, eq, sql } from "drizzle-orm";

import { accountAggregate, type CommandContext } from "../commands/accounts";
import { transferAggregate } from "../commands/transfers";
import { rowsOf } from "../db/client";
import { sanctionsEntries, transferWork } from "../db/schema";
import { accountStreamId } from "../domain/account/decider";
import type { AccountEvent } from "../domain/account/events";
import { screen } from "../domain/sanctions/sanctions";
import type { CommandMetadata } from "../domain/shared/decider";
import type { RecordCredit, RecordReservation, TransferCommand } from "../domain/transfer/commands";
import { transferStreamId } from "../domain/transfer/events";
import { nextStep, type TransferStep } from "../domain/transfer/process";
import { isTerminal, type TransferState } from "../domain/transfer/state";
import { handleCommand } from "../event-store/handle-command";
import { loadAggregate } from "../event-store/load";
import { log } from "../log";

/** Points where a test can make the runner die: after a leg's commit, and after a step is recorded. */
export type FaultPoint = `after-leg:${Lowercase<TransferStep["type"]>}` | `after-step:${Lowercase<TransferStep["type"]>}`;

export type RunnerOptions = {
  readonly ctx: CommandContext;
  /** Names this runner's leases, for operators reading transfer_work. */
  readonly runnerId?: string;
  /** How long a claim lasts; a runner that dies loses its transfers to others after this. */
  readonly leaseSeconds?: number;
  /** Test hook: throw here to simulate a crash at that point. */
  readonly fault?: (point: FaultPoint, transferId: string) => void;
};

const systemMetadata = (transferId: string, step: string): CommandMetadata => ({
  now: new Date(),
  actor: { id: "transfer-runner", role: "system" },
  commandId: `${transferId}:${step}`,
  correlationId: transferId,
  causationId: transferId,
  origin: "system",
});

export async function loadTransfer(ctx: CommandContext, transferId: string): Promise<TransferState> {
  const spec = transferAggregate(ctx.snapshotEvery);
  const { state } = await loadAggregate(ctx.db, {
    streamId: transferStreamId(transferId),
    decider: spec.decider,
    codec: spec.codec,
    snapshot: spec.snapshot,
  });
  return state;
}

async function recordOnTransfer(ctx: CommandContext, transferId: string, command: TransferCommand, step: string) {
  await handleCommand(ctx.db, transferAggregate(ctx.snapshotEvery), transferStreamId(transferId), command, {
    metadata: systemMetadata(transferId, step),
  });
}

/**
 * Advances one transfer as far as it can go: each step is a leg on an account (its own transaction,
 * idempotent by the key transfer:step) followed by recording the step on the transfer stream (its
 * own transaction, a no-op if already recorded). Dying between any two of these loses nothing: the
 * next runner repeats the leg (which replays its first result) and records it.
 */
export async function advanceTransfer(options: RunnerOptions, transferId: string): Promise<TransferState> {
  const { ctx } = options;
  const fault = (point: FaultPoint) => options.fault?.(point, transferId);
  for (let guard = 0; guard < 12; guard++) {
    const state = await loadTransfer(ctx, transferId);
    const step = nextStep(state);
    if (!step || state.status === "None") return state;
    const name = step.type.toLowerCase() as Lowercase<TransferStep["type"]>;

    if (step.type === "Screen") {
      const entries = await ctx.db.select({ name: sanctionsEntries.name }).from(sanctionsEntries);
      const matches = screen([state.to.name, state.reference], entries);
      await recordOnTransfer(ctx, transferId, { type: "RecordScreening", data: { matches, checkedEntries: entries.length } }, name);
      fault(`after-step:${name}`);
      continue;
    }

    if (step.type === "Submit") {
      // No leg: the SentToScheme event itself puts the payment in the scheme's outbox (transfers_view).
      await recordOnTransfer(ctx, transferId, { type: "RecordSubmission", data: {} }, name);
      fault(`after-step:${name}`);
      continue;
    }

    const leg = await handleCommand(ctx.db, accountAggregate(ctx.snapshotEvery), accountStreamId(step.accountId), step.command, {
      metadata: systemMetadata(transferId, name),
      idempotency: { scope: "transfer", key: `${transferId}:${name}` },
    });
    fault(`after-leg:${name}`);
    await recordOnTransfer(
      ctx,
      transferId,
      recordFor(
        step,
        leg.events.map((event) => event.event),
      ),
      name,
    );
    fault(`after-step:${name}`);
  }
  throw new Error(`Transfer ${transferId} did not settle within its step budget`);
}

/** What the transfer stream should record about a leg, from the events the leg produced. */
function recordFor(step: Exclude<TransferStep, { type: "Screen" } | { type: "Submit" }>, events: AccountEvent[]): TransferCommand {
  const event = events[0];
  switch (step.type) {
    case "Reserve": {
      // No event: the hold already existed (the leg ran before): it is reserved.
      if (event?.type === "ReservationRejected") {
        return {
          type: "RecordReservation",
          data: { outcome: "rejected", code: event.data.code, available: event.data.available },
        } satisfies RecordReservation;
      }
      return { type: "RecordReservation", data: { outcome: "reserved" } };
    }
    case "Credit":
      if (event?.type === "CreditRejected")
        return { type: "RecordCredit", data: { outcome: "rejected", code: event.data.code } } satisfies RecordCredit;
      return { type: "RecordCredit", data: { outcome: "credited" } };
    case "Capture":
      return { type: "RecordCapture", data: {} };
    case "Release":
      return { type: "RecordRelease", data: {} };
  }
}

/**
 * Claims due transfers with a lease. SKIP LOCKED lets many runners claim at once without waiting
 * for or taking each other's rows; the lease (not the row lock) keeps the claim across the step
 * transactions, and expires if the runner dies.
 */
async function claim(options: RunnerOptions, limit: number, transferId?: string): Promise<string[]> {
  const runner = options.runnerId ?? "runner";
  const lease = options.leaseSeconds ?? 30;
  const only = transferId ? sql`and transfer_id = ${transferId}` : sql``;
  const result = await options.ctx.db.execute(sql`
    update transfer_work w
       set claimed_by = ${runner}, claimed_until = now() + make_interval(secs => ${lease}), attempts = w.attempts + 1
      from (select transfer_id from transfer_work
             where due_at <= now() and (claimed_until is null or claimed_until < now()) ${only}
             order by due_at
             limit ${limit}
             for update skip locked) due
     where w.transfer_id = due.transfer_id
    returning w.transfer_id`);
  return rowsOf<{ transfer_id: string }>(result).map((row) => row.transfer_id);
}

async function finish(options: RunnerOptions, transferId: string, error?: unknown): Promise<void> {
  const runner = options.runnerId ?? "runner";
  const mine = and(eq(transferWork.transferId, transferId), eq(transferWork.claimedBy, runner));
  if (error === undefined) {
    await options.ctx.db.update(transferWork).set({ claimedBy: null, claimedUntil: null }).where(mine);
    return;
  }
  // Try again later, backing off with the attempts so far (capped at five minutes).
  const message = error instanceof Error ? error.message.slice(0, 500) : String(error).slice(0, 500);
  await options.ctx.db
    .update(transferWork)
    .set({
      claimedBy: null,
      claimedUntil: null,
      lastError: message,
      dueAt: sql`now() + make_interval(secs => least(300, power(2, ${transferWork.attempts})::int))`,
    })
    .where(mine);
}

/** Drives one transfer right away if no other runner holds it (used by the request that created it). */
export async function driveTransfer(options: RunnerOptions, transferId: string): Promise<TransferState | undefined> {
  const claimed = await claim(options, 1, transferId);
  if (claimed.length === 0) return undefined;
  try {
    const state = await advanceTransfer(options, transferId);
    await finish(options, transferId);
    return state;
  } catch (error) {
    await finish(options, transferId, error);
    throw error;
  }
}

export type RunReport = { claimed: number; completed: number; failed: number; held: number; errors: number };

/** Claims and advances due transfers until none are left or the time budget is spent. */
export async function runDueTransfers(options: RunnerOptions, budget: { batch?: number; maxMs?: number } = {}): Promise<RunReport> {
  const report: RunReport = { claimed: 0, completed: 0, failed: 0, held: 0, errors: 0 };
  const started = Date.now();
  const runner = { ...options, runnerId: options.runnerId ?? `runner-${randomUUID().slice(0, 8)}` };
  while (Date.now() - started < (budget.maxMs ?? 10_000)) {
    const ids = await claim(runner, budget.batch ?? 20);
    if (ids.length === 0) break;
    report.claimed += ids.length;
    for (const transferId of ids) {
      try {
        const state = await advanceTransfer(runner, transferId);
        await finish(runner, transferId);
        if (state.status === "Completed") report.completed++;
        else if (state.status === "Failed") report.failed++;
        else if (state.status === "Held") report.held++;
      } catch (error) {
        report.errors++;
        await finish(runner, transferId, error).catch(() => {});
        log().warn({ event: "transfer-runner", transferId, runnerId: runner.runnerId, err: error }, "transfer step failed; it will be retried");
      }
    }
  }
  return report;
}

export { isTerminal };
