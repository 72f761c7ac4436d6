import { randomUUID } from "node:crypto";

import type { Metadata } from "next";

import { requireUser } from "@/lib/dal/session";

import { OpenAccountForm } from "./open-account-form";

export const metadata: Metadata = { title: "Open an account" };

export default async function NewAccountPage() {
  await requireUser();
  return (
    <div className="narrow card">
      <h1>Open an account</h1>
      <p className="muted">It is free, and it gets its own account number straight away.</p>
      <OpenAccountForm commandId={randomUUID()} />
    </div>
  );
}
