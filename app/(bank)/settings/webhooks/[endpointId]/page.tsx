import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";

import { DataTable, RowAction } from "@/components/ui/data-table";
import { myFormatting } from "@/lib/dal/formatting";
import { getMyWebhookLog } from "@/lib/dal/webhooks";

import { resendDeliveryAction, setWebhookStatusAction } from "../actions";
import { ReplayForm, RotateForm } from "./endpoint-forms";

export const metadata: Metadata = { title: "Webhook deliveries" };

const STATUS = { active: "Active", failing: "Failing: deliveries stopped after three days of failures", disabled: "Disabled" } as const;

export default async function WebhookLogPage({ params }: { params: Promise<{ endpointId: string }> }) {
  // Seconds matter in a delivery log; the locale and time zone are the customer's.
  const formatting = await myFormatting();
  const date = new Intl.DateTimeFormat(formatting.locale, {
    day: "numeric",
    month: "short",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    timeZone: formatting.timeZone,
  });
  const { endpointId } = await params;
  const log = await getMyWebhookLog(endpointId);
  if (!log) notFound();
  const { endpoint, deliveries } = log;
  return (
    <>
      <div className="page-head">
        <div>
          <p>
            <Link href="/settings/webhooks">Webhooks</Link>
          </p>
          <h1>{endpoint.description}</h1>
          <p className="mono">{endpoint.url}</p>
          <p>
            Status: <strong data-testid="endpoint-status">{STATUS[endpoint.status]}</strong>
            {endpoint.rotating ? " (a secret rotation is in its overlap)" : null}
          </p>
        </div>
      </div>
      <section className="card" aria-labelledby="manage-heading">
        <h2 id="manage-heading">Manage</h2>
        <RowAction
          action={setWebhookStatusAction}
          fields={{ endpointId: endpoint.id, status: endpoint.status === "active" ? "disabled" : "active" }}
          className="button secondary"
        >
          {endpoint.status === "active" ? "Disable" : "Turn deliveries back on"}
        </RowAction>
        <RotateForm endpointId={endpoint.id} />
        <ReplayForm endpointId={endpoint.id} today={new Date().toISOString().slice(0, 10)} />
      </section>
      <section aria-labelledby="deliveries-heading">
        <h2 id="deliveries-heading">Deliveries</h2>
        <DataTable
          label="Deliveries"
          columns={["Event", `Recorded (${formatting.timeZone})`, "Status", "Attempts", { label: "Actions", hidden: true }]}
          rowCount={deliveries.length}
          empty="No deliveries yet: events appear here within a few seconds of happening."
        >
          {deliveries.map((delivery) => (
            <tr key={delivery.id} data-delivery={delivery.id}>
              <td>
                {delivery.eventType}
                <span className="reference mono">{delivery.id}</span>
              </td>
              <td>{date.format(new Date(delivery.recordedAt))}</td>
              <td data-testid="delivery-status">
                {delivery.status}
                {delivery.status === "pending" && delivery.attempts > 0 ? ` (next try ${date.format(new Date(delivery.nextAttemptAt))})` : null}
              </td>
              <td>
                <ol className="attempts" aria-label={`Attempts of ${delivery.id}`}>
                  {delivery.attemptLog.map((attempt) => (
                    <li key={attempt.attempt}>
                      {date.format(new Date(attempt.at))}: {attempt.status ?? "no answer"} in {attempt.durationMs} ms
                      {attempt.error ? ` (${attempt.error})` : null}
                    </li>
                  ))}
                </ol>
              </td>
              <td>
                <RowAction action={resendDeliveryAction} fields={{ endpointId: endpoint.id, deliveryId: delivery.id }} className="link-button">
                  Resend
                </RowAction>
              </td>
            </tr>
          ))}
        </DataTable>
      </section>
    </>
  );
}
