import type { Metadata } from "next";

import { formatUtc } from "@/components/admin/format";
import { DataTable, PageHead } from "@/components/ui/data-table";
import { listSanctions, sanctionsHistory } from "@/lib/dal/admin/sanctions";

import { AddSanctionsEntryForm, SanctionsList } from "./sanctions-forms";

export const metadata: Metadata = { title: "Sanctions list" };

export default async function SanctionsPage() {
  const [entries, history] = await Promise.all([listSanctions(), sanctionsHistory()]);
  return (
    <>
      <PageHead title="Sanctions list">
        A transfer whose payee name or reference mentions a name on this list is held for review. Changes apply to transfers requested from now on.
      </PageHead>
      <AddSanctionsEntryForm />
      <section aria-labelledby="list-title">
        <h2 id="list-title">On the list ({entries.length})</h2>
        <SanctionsList entries={entries} />
      </section>
      <section aria-labelledby="history-title">
        <h2 id="history-title">History</h2>
        <DataTable
          label="Sanctions list history"
          columns={["When", "Change", "Name", "Who", "Why"]}
          rowCount={history.length}
          empty="No changes yet."
        >
          {history.map((change) => (
            <tr key={change.position}>
              <td className="nowrap">{formatUtc(change.recordedAt)}</td>
              <td>{change.change === "added" ? "Added" : "Removed"}</td>
              <td>{change.name}</td>
              <td>{change.actorEmail ?? <span className="mono">{change.actorId}</span>}</td>
              <td>{change.reason}</td>
            </tr>
          ))}
        </DataTable>
      </section>
    </>
  );
}
