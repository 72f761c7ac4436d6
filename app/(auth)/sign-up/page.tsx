import type { Metadata } from "next";
import { redirect } from "next/navigation";

import { currentUser } from "@/lib/dal/session";
import { currencyList } from "@/lib/domain/shared/currency";

import { SignUpForm } from "./sign-up-form";

export const metadata: Metadata = { title: "Create your account" };

export default async function SignUpPage() {
  if (await currentUser()) redirect("/dashboard");
  return (
    <div className="auth-card card">
      <h1 id="sign-up-title">Create your account</h1>
      <p className="muted">Open accounts in {currencyList()} in a minute.</p>
      <SignUpForm />
    </div>
  );
}
