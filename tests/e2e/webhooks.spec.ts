import http from "node:http";
import type { AddressInfo } from "node:net";

import { expect, test } from "@playwright/test";
import { Webhook } from "standardwebhooks";

import { depositForm, moveMoney, openAccount, signUp } from "./support/customer";

// The receiver runs in the test process; the server is started with WEBHOOKS_ALLOW_PRIVATE=true
// (playwright.config.ts) so it may deliver to 127.0.0.1 over http.
type Delivery = { id: string; body: string; headers: Record<string, string> };

test("a customer registers a webhook, deposits, sees the signed delivery in the log and resends it", async ({ page }) => {
  const deliveries: Delivery[] = [];
  const server = http.createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    request.on("end", () => {
      const headers = Object.fromEntries(
        ["webhook-id", "webhook-timestamp", "webhook-signature"].map((name) => [name, String(request.headers[name])]),
      );
      deliveries.push({ id: headers["webhook-id"]!, body, headers });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ledgerline`;
    await signUp(page, "Hana Hooks");
    const accountId = await openAccount(page, "EUR", "Hooked");

    await page.goto("/settings/webhooks");
    await expect(page.getByRole("heading", { level: 1, name: "Webhooks" })).toBeVisible();
    const form = page.getByRole("form", { name: "Register a webhook" });
    await form.getByLabel("Endpoint URL").fill(url);
    await form.getByLabel("Description").fill("Books sync");
    await form.getByRole("button", { name: "Register webhook" }).click();
    const shown = page.getByLabel("Signing secret");
    await expect(shown).toHaveValue(/^whsec_/);
    const secret = await shown.inputValue();
    const logUrl = await page.getByRole("link", { name: "See its deliveries" }).getAttribute("href");

    await page.goto(`/accounts/${accountId}`);
    await moveMoney(page, "deposit", "12.50", "Hook me");
    await expect(depositForm(page).getByRole("status")).toContainText("Deposited €12.50");

    await page.goto(logUrl!);
    const deliveriesTable = page.getByRole("region", { name: "Deliveries" });
    await expect(async () => {
      await page.reload();
      await expect(deliveriesTable.getByRole("row", { name: /MoneyDeposited/ })).toContainText("delivered", { timeout: 1_000 });
    }).toPass({ timeout: 30_000 });
    const row = deliveriesTable.getByRole("row", { name: /MoneyDeposited/ });
    await expect(row.getByRole("list")).toContainText("204");

    expect(deliveries).toHaveLength(1);
    const event = new Webhook(secret).verify(deliveries[0]!.body, deliveries[0]!.headers) as {
      type: string;
      streamId: string;
      data: { amount: number };
    };
    expect(event).toMatchObject({ type: "MoneyDeposited", streamId: `account-${accountId}`, data: { amount: 1250 } });

    await row.getByRole("button", { name: "Resend" }).click();
    await expect.poll(() => deliveries.length, { timeout: 30_000 }).toBe(2);
    expect(deliveries[1]!.id).toBe(deliveries[0]!.id);
    await expect(async () => {
      await page.reload();
      await expect(deliveriesTable.getByRole("row", { name: /MoneyDeposited/ }).getByRole("listitem")).toHaveCount(2, { timeout: 1_000 });
    }).toPass({ timeout: 30_000 });
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
