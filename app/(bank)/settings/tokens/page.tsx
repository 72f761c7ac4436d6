import { randomUUID } from "node:crypto";

import type { Metadata } from "next";
import Link from "next/link";

import { DataTable, PageHead, RowAction } from "@/components/ui/data-table";
import { listMyApiTokens } from "@/lib/dal/api-tokens";
import { myDateTimes } from "@/lib/dal/formatting";
import { mayMakeSensitiveChange } from "@/lib/dal/security";

import { revokeTokenAction } from "./actions";
import { CreateTokenForm } from "./create-token-form";

export const metadata: Metadata = { title: "API tokens" };

const STATUS = { active: "Active", expired: "Expired", revoked: "Revoked" } as const;

export default async function ApiTokensPage() {
  const date = await myDateTimes(); // the customer's locale and time zone
  const tokens = await listMyApiTokens();
  const mayCreate = await mayMakeSensitiveChange();
  return (
    <>
      <PageHead title="API tokens">
        Personal tokens let scripts use the <a href="/api/v1/openapi.json">Ledgerline API</a> as you. Anyone holding one can move your money: a
        full-access token can move your money, so give an integration that only listens a read-only or webhooks token, keep them secret, and revoke
        any you no longer use.
      </PageHead>
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
        <DataTable
          label="Your tokens"
          columns={[
            "Name",
            "Starts with",
            "Scope",
            `Created (${date.timeZone})`,
            `Expires (${date.timeZone})`,
            `Last used (${date.timeZone})`,
            "Status",
            { label: "Actions", hidden: true },
          ]}
          rowCount={tokens.length}
          empty="No tokens yet."
        >
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
                  <RowAction action={revokeTokenAction} fields={{ tokenId: token.id }} label={`Revoke ${token.name}`}>
                    Revoke
                  </RowAction>
                ) : null}
              </td>
            </tr>
          ))}
        </DataTable>
      </section>
    </>
  );
}
