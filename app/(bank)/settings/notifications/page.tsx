import type { Metadata } from "next";

import { myNotificationPreferences } from "@/lib/dal/notifications";
import { NOTIFICATION_KIND_LABELS, NOTIFICATION_KINDS } from "@/lib/domain/notification/kinds";

import { savePreferencesAction } from "./actions";

export const metadata: Metadata = { title: "Notification settings" };

export default async function NotificationSettingsPage({ searchParams }: { searchParams: Promise<{ saved?: string; invalid?: string }> }) {
  const [preferences, { saved, invalid }] = await Promise.all([myNotificationPreferences(), searchParams]);
  return (
    <>
      <h1>Notification settings</h1>
      <p className="muted">Everything shows in your inbox. Tick what you also want by email (to your confirmed address).</p>
      {saved ? (
        <p role="status" className="notice notice-success">
          Your choices are saved.
        </p>
      ) : null}
      {invalid ? (
        <p role="alert" className="notice notice-error">
          Those choices could not be saved.
        </p>
      ) : null}
      <form action={savePreferencesAction} className="card form">
        <fieldset>
          <legend>Also send by email</legend>
          {NOTIFICATION_KINDS.map((kind) => (
            <label key={kind} className="checkbox">
              <input type="checkbox" name={`email:${kind}`} defaultChecked={preferences[kind]} /> {NOTIFICATION_KIND_LABELS[kind]}
            </label>
          ))}
        </fieldset>
        <button type="submit" className="button">
          Save
        </button>
      </form>
    </>
  );
}
