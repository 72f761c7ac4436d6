import type { Metadata } from "next";

import { ForgotPasswordForm } from "../link-forms";

export const metadata: Metadata = { title: "Forgot password" };

export default function ForgotPasswordPage() {
  return (
    <div className="auth-card card">
      <h1>Forgot your password?</h1>
      <p className="muted">Tell us your email address and we will send you a link to choose a new password.</p>
      <ForgotPasswordForm />
    </div>
  );
}
