import { expect, test } from "@playwright/test";

import { numberOfAccount, separatePage, signInAsAdmin, transferTo } from "./support/admin";
import { client, DEMO_ADMIN, tokenFor } from "./support/api";
import { balance, moveMoney, openAccount, signUp, statementRows } from "./support/customer";

// One long journey: a customer watches their account page while money arrives, from another
// customer's transfer and from the payment scheme, without ever reloading; a payment from a
// sanctioned name waits in the back office until an admin releases it; then the payer sends money
// to another bank, and their transfer page follows the scheme's answers (settled, returned) live.
test("a balance changes without a reload while others pay into it, a sanctioned inbound payment waits for the back office, and payments to another bank settle or come back live", async ({
  browser,
  request,
}) => {
  test.setTimeout(240_000);
  const watcher = await separatePage(browser);
  const payer = await separatePage(browser);
  const admin = await separatePage(browser);

  await signUp(watcher, "Wanda Watcher");
  const accountId = await openAccount(watcher, "EUR", "Live takings");
  const number = await numberOfAccount(watcher, accountId);
  await expect(balance(watcher)).toHaveText("€0.00");
  await expect(watcher.getByTestId("live-status")).toHaveAttribute("data-connected", "true", { timeout: 20_000 });
  // A reload would lose this mark: every check below runs on the same document.
  await watcher.evaluate(() => ((window as { liveMark?: string }).liveMark = "same page"));
  const samePage = () => watcher.evaluate(() => (window as { liveMark?: string }).liveMark);

  // Another customer, in another browser session, pays into the watched account.
  await signUp(payer, "Paul Payer");
  const payerAccount = await openAccount(payer, "EUR", "Spending");
  await moveMoney(payer, "deposit", "100.00");
  await expect(balance(payer)).toHaveText("€100.00");
  await transferTo(payer, { toNumber: number, amount: "25.00", reference: "Lunch money" });
  await expect(payer.getByTestId("transfer-status")).toHaveText("Completed", { timeout: 20_000 });

  await expect(balance(watcher)).toHaveText("€25.00", { timeout: 20_000 });
  // The server-rendered statement is refreshed too: the new line and its running balance.
  await expect.poll(async () => (await statementRows(watcher)).map((row) => row.join(" | ")).join("\n"), { timeout: 20_000 }).toContain("€25.00");
  expect(await samePage()).toBe("same page");

  // The payment scheme pays in (its token made by an admin over the API).
  const adminApi = client(request, await tokenFor(request, DEMO_ADMIN));
  const made = await adminApi.post<{ token: string }>("/admin/schemes", { name: "E2E Instant Payments" });
  expect(made.status, made.text).toBe(201);
  const scheme = client(request, made.body.token);
  const salary = {
    schemePaymentId: `E2E-${Date.now()}-1`,
    accountNumber: number,
    amount: 4_000,
    currency: "EUR",
    debtorName: "Acme Payroll",
    debtorAccount: "DE02100100109307118603",
    reference: "Salary",
  };
  const credited = await scheme.post<{ payment: { status: string } }>("/scheme/inbound-payments", salary);
  expect(credited.status, credited.text).toBe(200);
  expect(credited.body.payment.status).toBe("credited");
  // The scheme resends it (it never heard the answer): nothing more arrives.
  expect((await scheme.post<{ payment: { status: string } }>("/scheme/inbound-payments", salary)).body.payment.status).toBe("credited");
  await expect(balance(watcher)).toHaveText("€65.00", { timeout: 20_000 });
  expect(await samePage()).toBe("same page");

  // A payment from a name on the sanctions list is held: no money yet.
  const sanctioned = {
    ...salary,
    schemePaymentId: `E2E-${Date.now()}-2`,
    amount: 1_500,
    debtorName: "Globex Illicit Trading",
    reference: "Consulting",
  };
  const held = await scheme.post<{ payment: { id: string; status: string } }>("/scheme/inbound-payments", sanctioned);
  expect(held.body.payment.status).toBe("held");

  await signInAsAdmin(admin);
  await admin.goto("/admin/inbound");
  const card = admin.locator(`article[data-payment-id="${held.body.payment.id}"]`);
  await expect(card.getByRole("heading")).toHaveText("€15.00 from Globex Illicit Trading");
  await expect(card).toContainText("Debtor or reference matches the sanctions list: Globex Illicit Trading");
  await expect(balance(watcher)).toHaveText("€65.00");
  await card.getByRole("button", { name: "Release" }).click();
  await expect(card.getByText("Reason is required.")).toBeVisible();
  await card.getByLabel("Reason").fill("Namesake, checked with compliance");
  await card.getByRole("button", { name: "Release" }).click();
  await expect(admin.getByRole("status")).toContainText("Released the payment of €15.00 from Globex Illicit Trading. It was credited.");
  await expect(admin.locator(`article[data-payment-id="${held.body.payment.id}"]`)).toHaveCount(0);

  await expect(balance(watcher)).toHaveText("€80.00", { timeout: 20_000 });
  expect(await samePage()).toBe("same page");
  const read = await scheme.get<{ payment: { status: string } }>(`/scheme/inbound-payments/${sanctioned.schemePaymentId}`);
  expect(read.body.payment.status).toBe("credited");

  // The payer (75.00 left) pays an account at another bank: a bad IBAN is refused first.
  await payer.goto("/transfers/new");
  await payer.getByLabel("An account at another bank").check();
  await payer.getByLabel("IBAN").fill("DE89 3704 0044 0532 0130 01");
  await payer.getByLabel("Account holder's name").fill("Erika Mustermann");
  await payer.getByLabel("Amount", { exact: true }).fill("30.00");
  await payer.getByLabel("Reference (optional)").fill("Piano lessons");
  await payer.getByRole("button", { name: "Continue" }).click();
  await expect(payer.getByText("That is not a valid IBAN")).toBeVisible();
  await payer.getByLabel("IBAN").fill("DE89 3704 0044 0532 0130 00");
  await payer.getByRole("button", { name: "Continue" }).click();
  await expect(payer.getByTestId("payee-name")).toHaveText("Erika Mustermann");
  await payer.getByRole("button", { name: "Confirm transfer" }).click();
  await expect(payer).toHaveURL(/\/transfers\/[0-9a-f-]{36}$/);
  const outboundId = /\/transfers\/([0-9a-f-]{36})$/.exec(payer.url())![1]!;
  await expect(payer.getByTestId("transfer-status")).toHaveText("Sent to the other bank", { timeout: 20_000 });
  await expect(payer.getByText("Waiting for the receiving bank")).toBeVisible();
  await payer.evaluate(() => ((window as { liveMark?: string }).liveMark = "payer page"));

  // The scheme finds it in the bank's outbox and settles it (twice: a retry); the page follows.
  const outbox = await scheme.get<{ payments: { id: string; creditor: { iban: string }; amount: number }[] }>("/scheme/outbound-payments");
  expect(outbox.body.payments.find((payment) => payment.id === outboundId)).toMatchObject({
    amount: 3_000,
    creditor: { iban: "DE89370400440532013000" },
  });
  const settled = await scheme.post<{ payment: { status: string } }>(`/scheme/outbound-payments/${outboundId}/settle`, {
    schemeReference: "E2E-SETTLE",
  });
  expect(settled.status, settled.text).toBe(200);
  expect(settled.body.payment.status).toBe("settled");
  expect((await scheme.post<{ payment: { status: string } }>(`/scheme/outbound-payments/${outboundId}/settle`, {})).body.payment.status).toBe(
    "settled",
  );
  await expect(payer.getByTestId("transfer-status")).toHaveText("Completed", { timeout: 20_000 });
  await expect(payer.getByText("Settled by the receiving bank")).toBeVisible();
  expect(await payer.evaluate(() => (window as { liveMark?: string }).liveMark)).toBe("payer page");

  // A second payment comes back: the reserved money is available again, and the page says why.
  await payer.goto("/transfers/new");
  await payer.getByLabel("An account at another bank").check();
  await payer.getByLabel("IBAN").fill("GB82 WEST 1234 5698 7654 32");
  await payer.getByLabel("Account holder's name").fill("John Smith");
  await payer.getByLabel("Amount", { exact: true }).fill("20.00");
  await payer.getByRole("button", { name: "Continue" }).click();
  await payer.getByRole("button", { name: "Confirm transfer" }).click();
  await expect(payer.getByTestId("transfer-status")).toHaveText("Sent to the other bank", { timeout: 20_000 });
  const returnedId = /\/transfers\/([0-9a-f-]{36})$/.exec(payer.url())![1]!;
  const returned = await scheme.post<{ payment: { status: string } }>(`/scheme/outbound-payments/${returnedId}/return`, {
    reason: "AC04 account closed",
  });
  expect(returned.body.payment.status).toBe("returned");
  await expect(payer.getByTestId("transfer-status")).toHaveText("Failed", { timeout: 20_000 });
  await expect(payer.getByText("Returned by the receiving bank")).toBeVisible();
  await expect(payer.getByText("The receiving bank returned the payment. AC04 account closed")).toBeVisible();
  await payer.goto(`/accounts/${payerAccount}`);
  await expect(balance(payer)).toHaveText("€45.00");
  // The returned payment is a refused line that moved nothing, and says why.
  expect((await statementRows(payer)).map((row) => row.join(" | "))[0]).toBe("Transfer out refused | €20.00 | €45.00");
  await expect(payer.getByText("Returned: the receiving bank sent the payment back; no money left the account")).toBeVisible();
});

test("the live stream refuses a request without a session, and a scheme token cannot reach a customer's data", async ({ request }) => {
  const anonymous = await request.get("/api/portal/live", { maxRedirects: 0 });
  expect(anonymous.status()).toBe(401);
  const adminApi = client(request, await tokenFor(request, DEMO_ADMIN));
  const made = await adminApi.post<{ token: string }>("/admin/schemes", { name: "E2E Nosy Scheme" });
  const scheme = client(request, made.body.token);
  const accounts = await scheme.get("/accounts");
  expect(accounts.status).toBe(403);
  expect(accounts.body.code).toBe("ROLE_NOT_ALLOWED");
});
