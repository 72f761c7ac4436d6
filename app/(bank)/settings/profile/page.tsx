import type { Metadata } from "next";

import { myFormatting } from "@/lib/dal/formatting";
import { myProfile } from "@/lib/dal/profile";
import { formatDateTime } from "@/lib/domain/shared/format";
import { formatMoney } from "@/lib/domain/shared/money";

import { ProfileForm } from "./profile-form";

export const metadata: Metadata = { title: "Profile" };

export default async function ProfilePage() {
  const [profile, formatting] = await Promise.all([myProfile(), myFormatting()]);
  // Every zone this server knows, plus the saved one (so a zone the list lacks still shows).
  const zones = new Set(["UTC", ...Intl.supportedValuesOf("timeZone")]);
  zones.add(profile.values.timeZone);
  const example = `${formatDateTime(new Date(), formatting)} · ${formatMoney(123_456n, "EUR", formatting.locale)}`;
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Profile</h1>
          <p className="muted">Signed in as {profile.email}.</p>
        </div>
      </div>
      <section className="card" aria-labelledby="profile-heading">
        <h2 id="profile-heading">Name and formats</h2>
        <ProfileForm values={profile.values} timeZones={[...zones]} example={example} />
      </section>
    </>
  );
}
