import type { Metadata } from "next";

import { AdminNav } from "@/components/admin/admin-nav";
import { requireAdminUser } from "@/lib/dal/admin/access";

import "./admin.css";

export const metadata: Metadata = { title: { default: "Back office", template: "%s · Back office · Ledgerline" } };

// Only admins get past this line (others: sign in, or "not found"); every page, action and route
// below still checks for itself through lib/dal/admin.
export default async function AdminLayout({ children }: { children: React.ReactNode }) {
  const admin = await requireAdminUser();
  return (
    <div className="admin">
      <div className="admin-bar">
        <p className="admin-label">
          <span className="badge badge-admin">Back office</span> <span className="muted">Signed in as {admin.email}</span>
        </p>
        <AdminNav />
      </div>
      {children}
    </div>
  );
}
