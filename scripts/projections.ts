import { recordOperation } from "../lib/commands/operations";
import { connectFromEnv } from "../lib/db/connect";
import { rebuildProjections, verifyProjections } from "../lib/projections/rebuild";
import type { ReplayProgress } from "../lib/projections/replay";

const mode = process.argv[2];
if (mode !== "rebuild" && mode !== "verify") {
  console.error("usage: tsx scripts/projections.ts rebuild|verify");
  process.exit(2);
}

// The operator at the terminal is who the audit trail names.
const cli = { now: new Date(), actor: { id: `cli:${process.env.USER ?? "operator"}`, role: "admin" as const }, origin: "cli" as const };

const PHASES: Record<string, string> = {
  indexes: "making the indexes and constraints",
  "catch-up": "catching up with what commands wrote meanwhile",
  swap: "swapping the new tables in (commands wait for this)",
  compare: "comparing with the live tables",
};

let lastPrint = 0;
let lastPhase = "replay";
function progress({ events, elapsedMs, phase = "replay" }: ReplayProgress) {
  if (phase !== lastPhase) {
    lastPhase = phase;
    console.log(`  ${PHASES[phase] ?? phase}…`);
    return;
  }
  if (elapsedMs - lastPrint < 1000 && events % 50_000 !== 0) return;
  lastPrint = elapsedMs;
  const rate = elapsedMs > 0 ? Math.round((events / elapsedMs) * 1000) : 0;
  console.log(`  replayed ${events.toLocaleString("en")} events (${rate.toLocaleString("en")} events/s)`);
}

async function main() {
  const handle = await connectFromEnv();
  console.log(`${mode === "rebuild" ? "Rebuilding" : "Verifying"} projections on ${handle.target}`);
  try {
    if (mode === "rebuild") {
      const report = await rebuildProjections(handle.db, { onProgress: progress });
      await recordOperation(handle.db, { type: "ProjectionsRebuilt", data: { events: report.events, rows: report.rows } }, cli);
      const rate = Math.round((report.events / Math.max(report.elapsedMs, 1)) * 1000);
      console.log(
        `Rebuilt from ${report.events.toLocaleString("en")} events in ${(report.elapsedMs / 1000).toFixed(2)} s (${rate.toLocaleString("en")} events/s)`,
      );
      if (report.caughtUp > 0) console.log(`  (${report.caughtUp.toLocaleString("en")} of them committed while it ran)`);
      for (const [table, rows] of Object.entries(report.rows)) console.log(`  ${table}: ${rows.toLocaleString("en")} rows`);
      console.log(`  ${report.phases.map((p) => `${p.phase} ${(p.ms / 1000).toFixed(2)} s`).join(", ")}`);
    } else {
      const report = await verifyProjections(handle.db, { onProgress: progress });
      await recordOperation(handle.db, { type: "ProjectionsVerified", data: { events: report.events, differences: report.differences.length } }, cli);
      const rate = Math.round((report.events / Math.max(report.elapsedMs, 1)) * 1000);
      console.log(
        `Replayed ${report.events.toLocaleString("en")} events in ${(report.elapsedMs / 1000).toFixed(2)} s (${rate.toLocaleString("en")} events/s)`,
      );
      for (const difference of report.differences.slice(0, 50)) {
        console.log(`  ${difference.kind.toUpperCase()} ${difference.table} ${difference.key}`);
        if (difference.live !== undefined) console.log(`    live:     ${JSON.stringify(difference.live)}`);
        if (difference.expected !== undefined) console.log(`    expected: ${JSON.stringify(difference.expected)}`);
      }
      if (report.differences.length > 50) console.log(`  … and ${report.differences.length - 50} more`);
      console.log(
        report.differences.length === 0 ? "No differences: the projections match the events." : `${report.differences.length} differences found.`,
      );
      process.exitCode = report.differences.length === 0 ? 0 : 1;
    }
  } finally {
    await handle.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
