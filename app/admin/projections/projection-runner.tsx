"use client";

import { useActionState } from "react";

import { formatUtc } from "@/components/admin/format";
import { FormMessage } from "@/components/ui/field";
import type { ProjectionRunState } from "@/lib/dal/admin/projections";

import { rebuildProjectionsAction, verifyProjectionsAction } from "../actions";

const number = new Intl.NumberFormat("en-GB");

const seconds = new Intl.NumberFormat("en-GB", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

function Report({ state }: { state: ProjectionRunState }) {
  if (state.status === "idle") return null;
  if (state.status === "error") return <FormMessage tone="error">{state.message}</FormMessage>;
  const verb = state.mode === "verify" ? "Verified" : "Rebuilt";
  return (
    <div className="projection-report" data-testid={`${state.mode}-report`}>
      <FormMessage tone={state.mode === "verify" && state.differenceCount > 0 ? "warning" : "success"}>
        {verb}: replayed {number.format(state.events)} events in {seconds.format(state.elapsedMs / 1000)} s ({number.format(state.eventsPerSecond)}{" "}
        events/s).{" "}
        {state.mode === "verify"
          ? state.differenceCount === 0
            ? "No differences: every read model matches the events."
            : `${number.format(state.differenceCount)} differences found.`
          : "The read models were replaced in one transaction."}
      </FormMessage>
      <p className="muted small-print">Finished {formatUtc(state.finishedAt)}.</p>
      <ul className="plain-list">
        {Object.entries(state.rows).map(([table, rows]) => (
          <li key={table}>
            <span className="mono">{table}</span>: {number.format(rows)} rows replayed
          </li>
        ))}
      </ul>
      {state.differences.length > 0 ? (
        <div className="table-wrap" role="region" aria-label="Differences" tabIndex={0}>
          <table>
            <thead>
              <tr>
                <th scope="col">Table</th>
                <th scope="col">Row</th>
                <th scope="col">Difference</th>
                <th scope="col">Live</th>
                <th scope="col">From the events</th>
              </tr>
            </thead>
            <tbody>
              {state.differences.map((difference) => (
                <tr key={`${difference.table}:${difference.key}`}>
                  <td className="mono">{difference.table}</td>
                  <td className="mono">{difference.key}</td>
                  <td>{difference.kind}</td>
                  <td>
                    <code className="json-inline">{difference.live ?? "—"}</code>
                  </td>
                  <td>
                    <code className="json-inline">{difference.expected ?? "—"}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </div>
  );
}

/** Verify (read-only) and rebuild (commands wait meanwhile), each reporting what it replayed. */
export function ProjectionRunner() {
  const [verifyState, verify, verifying] = useActionState<ProjectionRunState>(verifyProjectionsAction, { status: "idle" });
  const [rebuildState, rebuild, rebuilding] = useActionState<ProjectionRunState>(rebuildProjectionsAction, { status: "idle" });
  const busy = verifying || rebuilding;
  return (
    <div className="two-col">
      <section className="card" aria-labelledby="verify-title">
        <h2 id="verify-title">Verify</h2>
        <p className="muted">Replays every event in memory and compares the result with the live tables. Changes nothing.</p>
        <form action={verify}>
          <button type="submit" className="button" disabled={busy} aria-disabled={busy}>
            {verifying ? "Verifying…" : "Verify"}
          </button>
        </form>
        {verifying ? (
          <p role="status" className="progress-line">
            <progress aria-label="Verifying" /> Replaying every event…
          </p>
        ) : (
          <Report state={verifyState} />
        )}
      </section>
      <section className="card" aria-labelledby="rebuild-title">
        <h2 id="rebuild-title">Rebuild</h2>
        <p className="muted">
          Replays every event into fresh tables and swaps them in. Commands wait until it finishes; pages keep reading the old rows meanwhile.
        </p>
        <form action={rebuild}>
          <button type="submit" className="button secondary" disabled={busy} aria-disabled={busy}>
            {rebuilding ? "Rebuilding…" : "Rebuild"}
          </button>
        </form>
        {rebuilding ? (
          <p role="status" className="progress-line">
            <progress aria-label="Rebuilding" /> Replaying every event into fresh tables…
          </p>
        ) : (
          <Report state={rebuildState} />
        )}
      </section>
    </div>
  );
}
