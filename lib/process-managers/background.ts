import type { CommandContext } from "../commands/accounts";
import { log } from "../log";
import { runDueTransfers } from "./transfer-runner";

type Loop = { timer?: NodeJS.Timeout };
const loop = ((globalThis as { __ledgerlineTransferLoop?: Loop }).__ledgerlineTransferLoop ??= {});

/**
 * In a long-running server, resumes transfers that a crash or a slow request left unfinished.
 * Any number of instances may run it: claims are leased in the database, not in memory.
 */
export function startTransferLoop(context: () => Promise<CommandContext>, intervalMs: number): void {
  if (loop.timer || intervalMs <= 0) return;
  let busy = false;
  loop.timer = setInterval(() => {
    if (busy) return;
    busy = true;
    void (async () => {
      try {
        const report = await runDueTransfers({ ctx: await context(), runnerId: `loop-${process.pid}` }, { maxMs: Math.max(intervalMs * 5, 5_000) });
        if (report.claimed > 0) log().info({ event: "transfer-loop", ...report }, "resumed transfers");
      } catch (error) {
        log().error({ event: "transfer-loop", err: error }, "transfer loop failed; it tries again next interval");
      } finally {
        busy = false;
      }
    })();
  }, intervalMs);
  loop.timer.unref();
}
