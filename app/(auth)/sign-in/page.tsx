import type { Metadata } from "next";
import { redirect } from "next/navigation";

import { currentUser } from "@/lib/dal/session";

import { SignInForm } from "./sign-in-form";

export const metadata: Metadata = { title: "Sign in" };

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  if (await currentUser()) redirect("/dashboard");
  const { next } = await searchParams;
  return (
    <div className="auth-card card">
      <h1 id="sign-in-title">Sign in</h1>
      <SignInForm next={typeof next === "string" ? next : undefined} />
    </div>
  );
}
