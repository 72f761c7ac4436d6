import { E2E_CRON_SECRET } from "../../playwright.config";
import { separatePage, signInAsAdmin } from "./support/admin";
import { accountNumber, balance, moveMoney, openAccount, sendTransfer, signIn, signOut, signUp, statementRows } from "./support/customer";
import { expect, test } from "./support/test";

test("a transfer between two of my accounts shows every step done and both balances change", async ({ page }) => {
  await signUp(page, "Tess Transfer");
  const everyday = await openAccount(page, "EUR", "Everyday");
  await moveMoney(page, "deposit", "200.00");
  await expect(balance(page)).toHaveText("€200.00");
  const savings = await openAccount(page, "EUR", "Savings");

  await sendTransfer(page, { fromLabel: /^Everyday/, toOwn: /^Savings/, amount: "75.25", reference: "Rainy day" });
  await expect(page.getByTestId("transfer-status")).toHaveText("Completed");
  const steps = page.getByRole("list", { name: "Transfer progress" }).getByRole("listitem");
  await expect(steps).toHaveCount(5);
  for (const label of ["Requested", "Screened", "Money reserved", "Payee credited", "Completed"]) {
    await expect(steps.filter({ hasText: label })).toHaveAttribute("data-state", "done");
  }

  await page.goto(`/accounts/${everyday}`);
  await expect(balance(page)).toHaveText("€124.75");
  expect((await statementRows(page))[0]).toEqual(["Transfer out", "-€75.25", "€124.75"]);
  await expect(page.getByText("Rainy day")).toBeVisible();
  await page.goto(`/accounts/${savings}`);
  await expect(balance(page)).toHaveText("€75.25");
  expect((await statementRows(page))[0]).toEqual(["Transfer in", "+€75.25", "€75.25"]);

  await page.goto("/transfers");
  await expect(page.getByRole("region", { name: "Your transfers" }).getByRole("row")).toHaveCount(2);
});

test("paying another customer shows their masked name first; a match on the sanctions list is put under review", async ({ page }) => {
  await signUp(page, "Peter Payee");
  const payeeAccount = await openAccount(page, "GBP", "Takings");
  const payeeNumber = await accountNumber(page, payeeAccount);
  await signOut(page);

  await signUp(page, "Mona Payer");
  const payerAccount = await openAccount(page, "GBP", "Current");
  await moveMoney(page, "deposit", "500");
  await expect(balance(page)).toHaveText("£500.00");

  const shown = await sendTransfer(page, { toNumber: payeeNumber.toLowerCase().replaceAll(" ", ""), amount: "40", reference: "Lunch" });
  expect(shown).toBe("Pe*** Pa***");
  await expect(page.getByTestId("transfer-status")).toHaveText("Completed");

  await sendTransfer(page, { toNumber: payeeNumber, amount: "60", reference: "Invoice from Globex Illicit Trading" });
  await expect(page.getByTestId("transfer-status")).toHaveText("Under review");
  await expect(page.getByText("Our team is checking this transfer")).toBeVisible();
  // The customer is not told which list entry matched.
  await expect(page.getByText("sanctions", { exact: false })).toHaveCount(0);

  await page.goto(`/accounts/${payerAccount}`);
  await expect(balance(page)).toHaveText("£460.00");
  await expect(page.getByTestId("available")).toHaveText("£460.00");
});

test("refuses a transfer across currencies, and to an account number that does not exist, before anything moves", async ({ page }) => {
  await signUp(page);
  await openAccount(page, "EUR", "Euro");
  await moveMoney(page, "deposit", "50");
  await openAccount(page, "USD", "Dollar");
  await page.goto("/transfers/new");
  await page.getByLabel("From", { exact: true }).selectOption({ index: 0 });
  await page.getByLabel("One of my accounts").check();
  await page.getByLabel("Into").selectOption({ index: 2 });
  await page.getByLabel("Amount", { exact: true }).fill("10");
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.getByText(/Transfers must stay in one currency: your account holds EUR and the payee's holds USD/)).toBeVisible();

  await page.getByLabel("Someone else's account").check();
  await page.getByLabel("Payee's account number").fill("LL00 1234 5678");
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.getByText(/check it for typos/)).toBeVisible();
});

test("a customer cannot see another customer's transfer, nor send from an account that is not theirs", async ({ page }) => {
  const owner = await signUp(page, "Olga Owner");
  const ownerAccount = await openAccount(page, "EUR", "Mine");
  await moveMoney(page, "deposit", "100");
  await openAccount(page, "EUR", "Other");
  await sendTransfer(page, { fromLabel: /^Mine/, toOwn: /^Other/, amount: "10" });
  const transferUrl = page.url();
  await signOut(page);

  await signUp(page, "Ivan Intruder");
  await openAccount(page, "EUR", "Intruder");
  const response = await page.goto(transferUrl);
  expect(response?.status()).toBe(404);
  const transferId = transferUrl.split("/").at(-1);
  expect((await page.request.get(`/api/portal/transfers/${transferId}`)).status()).toBe(404);

  // Tamper with the form so it names the owner's account as the source.
  await page.goto("/transfers/new");
  await page.getByLabel("From", { exact: true }).evaluate((select: HTMLSelectElement, id) => {
    select.add(new Option("forged", id, true, true));
  }, ownerAccount);
  await page.getByLabel("Payee's account number").fill("LL00 0000 0000");
  await page.getByLabel("Amount", { exact: true }).fill("50");
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.getByText("Choose one of your accounts to pay from.")).toBeVisible();
  await signOut(page);

  await signIn(page, owner.email, owner.password);
  await expect(page).toHaveURL(/\/dashboard$/, { timeout: 20_000 });
  await page.goto(`/accounts/${ownerAccount}`);
  await expect(balance(page)).toHaveText("€90.00");
});

test("the transfers cron route answers only to its bearer secret, by GET and POST", async ({ request }) => {
  expect((await request.get("/api/cron/transfers")).status()).toBe(401);
  expect((await request.get("/api/cron/transfers", { headers: { authorization: "Bearer wrong-secret-0123456789" } })).status()).toBe(401);
  const ok = await request.get("/api/cron/transfers", { headers: { authorization: `Bearer ${E2E_CRON_SECRET}` } });
  expect(ok.status()).toBe(200);
  expect(await ok.json()).toMatchObject({ claimed: expect.any(Number), errors: 0 });
  expect((await request.post("/api/cron/transfers", { headers: { authorization: `Bearer ${E2E_CRON_SECRET}` } })).status()).toBe(200);
});

test("a transfer from an account an admin froze fails with the reason; a held one completes live when released", async ({ page, browser }) => {
  await signUp(page, "Frida Frozen");
  const main = await openAccount(page, "EUR", "Main");
  await moveMoney(page, "deposit", "100");
  await expect(balance(page)).toHaveText("€100.00");
  await openAccount(page, "EUR", "Spare");

  const admin = await separatePage(browser);
  await signInAsAdmin(admin);
  await admin.goto(`/admin/accounts/${main}`);
  const freeze = admin.getByRole("form", { name: "Freeze account" });
  await freeze.getByLabel("Category").selectOption({ label: "Compliance review" });
  await freeze.getByLabel("Reason").fill("Unusual activity, case 88");
  await freeze.getByRole("button", { name: "Freeze account" }).click();
  await expect(admin.getByRole("status")).toBeVisible();

  await sendTransfer(page, { fromLabel: /^Main/, toOwn: /^Spare/, amount: "10" });
  await expect(page.getByTestId("transfer-status")).toHaveText("Failed");
  await expect(page.getByText("The source account is frozen.")).toBeVisible();
  await page.goto(`/accounts/${main}`);
  await expect(balance(page)).toHaveText("€100.00");
  await expect(page.getByTestId("reserved")).toHaveText("€0.00");

  const unfreeze = admin.getByRole("form", { name: "Unfreeze account" });
  await unfreeze.getByLabel("Reason").fill("Customer verified");
  await unfreeze.getByRole("button", { name: "Unfreeze account" }).click();
  await expect(admin.getByRole("form", { name: "Freeze account" })).toBeVisible();

  await sendTransfer(page, { fromLabel: /^Main/, toOwn: /^Spare/, amount: "25", reference: "Globex Illicit Trading refund" });
  await expect(page.getByTestId("transfer-status")).toHaveText("Under review");
  const transferId = page.url().split("/").at(-1)!;

  await admin.goto("/admin/transfers");
  const held = admin.locator(`article[data-transfer-id="${transferId}"]`);
  await held.getByLabel("Reason").fill("Refund from a namesake, checked");
  await held.getByRole("button", { name: "Release" }).click();

  // No reload: the progress page polls and ticks to completed by itself.
  await expect(page.getByTestId("transfer-status")).toHaveText("Completed", { timeout: 20_000 });
  await page.goto(`/accounts/${main}`);
  await expect(balance(page)).toHaveText("€75.00");
});
