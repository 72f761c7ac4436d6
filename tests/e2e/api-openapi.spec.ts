import { expect, test } from "@playwright/test";

import { checkOpenApiDocument, operationsOf } from "../support/openapi-check";
import { API } from "./support/api";

// Every route of the API's contract (docs/api.md), one by one.
const CONTRACT_ROUTES = [
  "POST /auth/signup",
  "POST /auth/token",
  "DELETE /auth/token",
  "POST /accounts",
  "GET /accounts",
  "GET /accounts/{accountId}",
  "POST /accounts/{accountId}/deposits",
  "POST /accounts/{accountId}/withdrawals",
  "GET /accounts/{accountId}/statement",
  "GET /accounts/{accountId}/statements/{month}.pdf",
  "POST /transfers",
  "GET /transfers/{transferId}",
  "GET /transfers",
  "GET /payees/confirmation",
  "POST /payees",
  "GET /payees",
  "POST /payees/{payeeId}/rename",
  "DELETE /payees/{payeeId}",
  "POST /orders",
  "GET /orders",
  "GET /orders/{orderId}",
  "POST /orders/{orderId}/edit",
  "POST /orders/{orderId}/pause",
  "POST /orders/{orderId}/resume",
  "POST /orders/{orderId}/cancel",
  "GET /events",
  "GET /webhooks",
  "POST /webhooks",
  "POST /admin/accounts/{accountId}/freeze",
  "POST /admin/accounts/{accountId}/unfreeze",
  "GET /admin/accounts/{accountId}/events",
  "GET /admin/audit",
  "POST /admin/transfers/{transferId}/release",
  "POST /admin/transfers/{transferId}/reject",
  "POST /admin/projections/rebuild",
  "POST /admin/inbound-payments/{paymentId}/release",
  "POST /admin/inbound-payments/{paymentId}/return",
  "POST /admin/schemes",
  "POST /scheme/inbound-payments",
  "GET /scheme/inbound-payments/{schemePaymentId}",
  "GET /scheme/outbound-payments",
  "GET /scheme/outbound-payments/{transferId}",
  "POST /scheme/outbound-payments/{transferId}/settle",
  "POST /scheme/outbound-payments/{transferId}/return",
  "GET /openapi.json",
].sort();

test("the served OpenAPI 3.1 document is valid and lists every route of the contract", async ({ request }) => {
  const response = await request.get(`${API}/openapi.json`);
  expect(response.status()).toBe(200);
  expect(response.headers()["content-type"]).toContain("application/json");
  const document = (await response.json()) as Record<string, unknown>;
  expect(document.openapi).toBe("3.1.0");
  expect(checkOpenApiDocument(document)).toEqual([]);
  expect(operationsOf(document)).toEqual(CONTRACT_ROUTES);

  // Every documented problem code is one the API answers with that status, and the schemas are there.
  const components = (document.components as { schemas: Record<string, unknown> }).schemas;
  for (const name of ["Account", "Transfer", "StatementEntry", "Problem", "DepositRequest", "RequestTransferRequest"])
    expect(components[name]).toBeDefined();
  const withdraw = (document.paths as Record<string, Record<string, { responses: Record<string, { description: string }> }>>)[
    "/accounts/{accountId}/withdrawals"
  ]!.post!;
  // No 409: a request whose key is still running waits for it (docs/api.md, Idempotency). 403: a
  // scheme's token (ROLE_NOT_ALLOWED), SELF_SERVICE_DEPOSITS=false (SELF_SERVICE_OFF), or a read or
  // webhooks token (INSUFFICIENT_SCOPE).
  expect(Object.keys(withdraw.responses).sort()).toEqual(["201", "400", "401", "403", "404", "413", "415", "422", "500"]);
  expect(withdraw.responses["403"]?.description).toContain("INSUFFICIENT_SCOPE");
  expect(withdraw.responses["422"]?.description).toContain("INSUFFICIENT_FUNDS");
});
