"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

const LINKS = [
  { href: "/admin", label: "Customers & accounts", match: ["/admin", "/admin/customers", "/admin/accounts"] },
  { href: "/admin/transfers", label: "Held transfers", match: ["/admin/transfers"] },
  { href: "/admin/inbound", label: "Held inbound payments", match: ["/admin/inbound"] },
  { href: "/admin/approvals", label: "Approvals", match: ["/admin/approvals"] },
  { href: "/admin/sanctions", label: "Sanctions", match: ["/admin/sanctions"] },
  { href: "/admin/audit", label: "Audit trail", match: ["/admin/audit", "/admin/streams"] },
  { href: "/admin/projections", label: "Projections", match: ["/admin/projections"] },
];

/** The back office's own navigation; the current section is marked for screen readers too. */
export function AdminNav() {
  const pathname = usePathname();
  const current = (match: string[]) =>
    match.some((prefix) => (prefix === "/admin" ? pathname === "/admin" : pathname === prefix || pathname.startsWith(`${prefix}/`)));
  return (
    <nav className="admin-nav" aria-label="Back office">
      <ul>
        {LINKS.map((link) => (
          <li key={link.href}>
            <Link href={link.href} aria-current={current(link.match) ? "page" : undefined}>
              {link.label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
