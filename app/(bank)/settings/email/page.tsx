import type { Metadata } from "next";

import { requireUser } from "@/lib/dal/session";

import { ChangeEmailForm } from "../../../(auth)/link-forms";

export const metadata: Metadata = { title: "Email address" };

export default async function EmailSettingsPage() {
  const user = await requireUser();
  return (
    <>
      <h1>Email address</h1>
      <p className="muted">
        We send a link to the new address; it becomes yours when you follow it. We also tell your current address, in case it was not you.
      </p>
      <ChangeEmailForm current={user.email} />
    </>
  );
}
