// A transfer runner in its own process, for the multi-runner test. Runs until told to drain on
// stdin and the queue stays empty, then prints its report as JSON and exits.
import { openDatabase } from "../../lib/db/client";
import { runDueTransfers } from "../../lib/process-managers/transfer-runner";

async function main() {
  const [url, runnerId] = process.argv.slice(2);
  if (!url || !runnerId) throw new Error("usage: transfer-worker <database url> <runner id>");
  const handle = await openDatabase({ kind: "postgres", url, poolMax: 4 });
  let draining = false;
  process.stdin.on("data", (chunk) => {
    if (String(chunk).includes("drain")) draining = true;
  });
  const total = { claimed: 0, completed: 0, failed: 0, held: 0, errors: 0 };
  const deadline = Date.now() + 240_000;
  let idleRounds = 0;
  try {
    while (Date.now() < deadline) {
      const report = await runDueTransfers(
        { ctx: { db: handle.db, snapshotEvery: 20, maxAmount: 10_000_000n }, runnerId, leaseSeconds: 20 },
        { batch: 5, maxMs: 2_000 },
      );
      for (const key of Object.keys(total) as (keyof typeof total)[]) total[key] += report[key];
      idleRounds = report.claimed === 0 ? idleRounds + 1 : 0;
      if (draining && idleRounds >= 3) break;
      if (report.claimed === 0) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    console.log(JSON.stringify(total));
  } finally {
    // Nothing may keep the process alive after an error: the test waits for it to end.
    process.stdin.destroy();
    await handle.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
