import { randomUUID } from "node:crypto";

import type { Metadata } from "next";
import Link from "next/link";

import { DataTable, PageHead } from "@/components/ui/data-table";
import { myDateTimes } from "@/lib/dal/formatting";
import { listMyWebhooks } from "@/lib/dal/webhooks";

import { RegisterWebhookForm } from "./register-webhook-form";

export const metadata: Metadata = { title: "Webhooks" };

const STATUS = { active: "Active", failing: "Failing: deliveries stopped", disabled: "Disabled" } as const;

export default async function WebhooksPage() {
  const date = await myDateTimes(); // the customer's locale and time zone
  const endpoints = await listMyWebhooks();
  return (
    <>
      <PageHead title="Webhooks">
        Ledgerline POSTs each event of your accounts and of the transfers you send to your endpoints, signed the Standard Webhooks way (webhook-id,
        webhook-timestamp, webhook-signature). A failing endpoint is retried with growing pauses for up to three days.
      </PageHead>
      <section className="card" aria-labelledby="register-webhook-heading">
        <h2 id="register-webhook-heading">Register a webhook</h2>
        <RegisterWebhookForm commandId={randomUUID()} />
      </section>
      <section aria-labelledby="webhooks-heading">
        <h2 id="webhooks-heading">Your webhooks</h2>
        <DataTable
          label="Your webhooks"
          columns={["Description", "URL", "Events", `Created (${date.timeZone})`, "Status"]}
          rowCount={endpoints.length}
          empty="No webhooks yet."
        >
          {endpoints.map((endpoint) => (
            <tr key={endpoint.id}>
              <td>
                <Link href={`/settings/webhooks/${endpoint.id}`}>{endpoint.description}</Link>
              </td>
              <td className="mono">{endpoint.url}</td>
              <td>{endpoint.audience === "all" ? "Every event" : "Your accounts and transfers"}</td>
              <td>{date.format(new Date(endpoint.createdAt))}</td>
              <td>{STATUS[endpoint.status]}</td>
            </tr>
          ))}
        </DataTable>
      </section>
    </>
  );
}
