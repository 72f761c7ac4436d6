import type { Metadata } from "next";
import Link from "next/link";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Ledgerline", template: "%s · Ledgerline" },
  description: "An open-source, event-sourced banking portal: every balance is derived from an append-only ledger.",
};

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body>
        <a href="#main" className="skip-link">Skip to content</a>
        <header className="site-header">
          <div className="container">
            <Link href="/" className="brand">
              <span className="brand-mark" aria-hidden="true" />
              Ledgerline
            </Link>
          </div>
        </header>
        <main id="main" className="container">{children}</main>
        <footer className="container site-footer">Ledgerline: open-source, event-sourced banking.</footer>
      </body>
    </html>
  );
}
