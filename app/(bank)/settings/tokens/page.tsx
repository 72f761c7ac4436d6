import { randomUUID } from "node:crypto";
import type { Metadata } from "next";
import Link from "next/link";
import { listMyApiTokens } from "@/lib/dal/api-tokens";
import { mayMakeSensitiveChange } from "@/lib/dal/security";
import { revokeTokenAction } from "./actions";
import { CreateTokenForm } from "./create-token-form";
import { myFormatting } from "@/lib/dal/formatting";
import { formatDateTime } from "@/lib/domain/shared/format";

export const metadata: Metadata = { title: "API tokens" };

const STATUS = { active: "Active", expired: "Expired", revoked: "Revoked" } as const;

export default async function ApiTokensPage() {
  // In the customer's locale and time zone (lib/dal/formatting.ts).
  const formatting = await myFormatting();
  const date = { format: (at: Date) => formatDateTime(at, formatting) };
  const tokens = await listMyApiTokens();
  const mayCreate = await mayMakeSensitiveChange();
  return (
    <>
      <div className="page-head">
        <div>
          <h1>API tokens</h1>
          <p className="muted">
            Personal tokens let scripts use the <a href="/api/v1/openapi.json">Ledgerline API</a> as you. Anyone holding one can move your money:
            a full-access token can move your money, so give an integration that only listens a read-only or webhooks token, keep them secret, and revoke any you no longer use.
          </p>
        </div>
      </div>
      <section className="card" aria-labelledby="create-token-heading">
        <h2 id="create-token-heading">Create a token</h2>
        {mayCreate ? (
          <CreateTokenForm commandId={randomUUID()} />
        ) : (
          <p>
            <Link href="/settings/confirm?next=/settings/tokens" className="button secondary">
              Confirm it is you
            </Link>{" "}
            <span className="muted">A token can move your money, so making one needs your password (or a code) within the last five minutes.</span>
          </p>
        )}
      </section>
      <section aria-labelledby="tokens-heading">
        <h2 id="tokens-heading">Your tokens</h2>
        {tokens.length === 0 ? (
          <p className="card muted">No tokens yet.</p>
        ) : (
          <div className="table-wrap card" role="region" aria-label="Your tokens" tabIndex={0}>
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Starts with</th>
                  <th scope="col">Scope</th>
                  <th scope="col">Created ({formatting.timeZone})</th>
                  <th scope="col">Expires ({formatting.timeZone})</th>
                  <th scope="col">Last used ({formatting.timeZone})</th>
                  <th scope="col">Status</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {tokens.map((token) => (
                  <tr key={token.id}>
                    <td>{token.name}</td>
                    <td className="mono">{token.prefix}…</td>
                    <td>{token.scope}</td>
                    <td>{date.format(new Date(token.createdAt))}</td>
                    <td>{date.format(new Date(token.expiresAt))}</td>
                    <td>{token.lastUsedAt ? date.format(new Date(token.lastUsedAt)) : "Never"}</td>
                    <td>{STATUS[token.status]}</td>
                    <td>
                      {token.status === "active" ? (
                        <form action={revokeTokenAction}>
                          <input type="hidden" name="tokenId" value={token.id} />
                          <button type="submit" className="button small secondary" aria-label={`Revoke ${token.name}`}>
                            Revoke
                          </button>
                        </form>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}
