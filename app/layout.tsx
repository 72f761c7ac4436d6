import type { Metadata, Viewport } from "next";
import Link from "next/link";

import { Providers } from "@/components/providers";
import { myUnreadCount } from "@/lib/dal/notifications";
import { currentUser } from "@/lib/dal/session";

import { signOutAction } from "./(auth)/actions";

import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Ledgerline", template: "%s · Ledgerline" },
  description: "An open-source, event-sourced banking portal: every balance is derived from an append-only ledger.",
};

export const viewport: Viewport = { width: "device-width", initialScale: 1 };

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  const [user, unread] = await Promise.all([currentUser(), myUnreadCount()]);
  return (
    <html lang="en">
      <body>
        <a href="#main" className="skip-link">
          Skip to content
        </a>
        <header className="site-header">
          <div className="container">
            <Link href={user ? "/dashboard" : "/"} className="brand">
              <span className="brand-mark" aria-hidden="true" />
              Ledgerline
            </Link>
            <nav className="nav" aria-label="Main">
              {user ? (
                <>
                  <Link href="/dashboard">Accounts</Link>
                  <Link href="/transfers">Transfers</Link>
                  <Link href="/payees">Payees</Link>
                  <Link href="/orders">Orders</Link>
                  <Link href="/notifications" data-testid="inbox-link">
                    Inbox
                    {unread ? (
                      <span className="inbox-count" data-testid="unread-count">
                        {unread}
                        <span className="visually-hidden"> unread</span>
                      </span>
                    ) : null}
                  </Link>
                  <Link href="/accounts/new">Open an account</Link>
                  <Link href="/settings/profile">Profile</Link>
                  <Link href="/settings/tokens">API tokens</Link>
                  <Link href="/settings/security">Security</Link>
                  <Link href="/settings/webhooks">Webhooks</Link>
                  {user.role === "admin" ? <Link href="/admin">Back office</Link> : null}
                  <span className="muted user-name">{user.name}</span>
                  <form action={signOutAction}>
                    <button type="submit" className="link-button">
                      Sign out
                    </button>
                  </form>
                </>
              ) : (
                <>
                  <Link href="/sign-in">Sign in</Link>
                  <Link href="/sign-up" className="button small">
                    Open an account
                  </Link>
                </>
              )}
            </nav>
          </div>
        </header>
        <Providers>
          <main id="main" className="container">
            {children}
          </main>
        </Providers>
        <footer className="container site-footer">Ledgerline: open-source, event-sourced banking.</footer>
      </body>
    </html>
  );
}
