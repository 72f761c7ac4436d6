import type { Metadata } from "next";
import { formatUtc } from "@/components/admin/format";
import { listSanctions, sanctionsHistory } from "@/lib/dal/admin/sanctions";
import { AddSanctionsEntryForm, SanctionsList } from "./sanctions-forms";

export const metadata: Metadata = { title: "Sanctions list" };

export default async function SanctionsPage() {
  const [entries, history] = await Promise.all([listSanctions(), sanctionsHistory()]);
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Sanctions list</h1>
          <p className="muted">
            A transfer whose payee name or reference mentions a name on this list is held for review. Changes apply to transfers
            requested from now on.
          </p>
        </div>
      </div>
      <AddSanctionsEntryForm />
      <section aria-labelledby="list-title">
        <h2 id="list-title">On the list ({entries.length})</h2>
        <SanctionsList entries={entries} />
      </section>
      <section aria-labelledby="history-title">
        <h2 id="history-title">History</h2>
        {history.length === 0 ? (
          <p className="card muted">No changes yet.</p>
        ) : (
          <div className="table-wrap card" role="region" aria-label="Sanctions list history" tabIndex={0}>
            <table>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Change</th>
                  <th scope="col">Name</th>
                  <th scope="col">Who</th>
                  <th scope="col">Why</th>
                </tr>
              </thead>
              <tbody>
                {history.map((change) => (
                  <tr key={change.position}>
                    <td className="nowrap">{formatUtc(change.recordedAt)}</td>
                    <td>{change.change === "added" ? "Added" : "Removed"}</td>
                    <td>{change.name}</td>
                    <td>{change.actorEmail ?? <span className="mono">{change.actorId}</span>}</td>
                    <td>{change.reason}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}
