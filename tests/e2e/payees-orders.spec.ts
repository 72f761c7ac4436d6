import { expect, test } from "@playwright/test";

import { accountNumber, balance, moveMoney, openAccount, signOut, signUp } from "./support/customer";

const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

test("add a payee after confirming their masked name, pay them from the transfer form, set up a monthly order and see it in the list", async ({
  page,
}) => {
  await signUp(page, "Pat Payee");
  const patAccount = await openAccount(page, "EUR", "Household");
  const patNumber = await accountNumber(page, patAccount);
  await signOut(page);

  await signUp(page, "Robin Renter");
  const robinAccount = await openAccount(page, "EUR", "Everyday");
  await moveMoney(page, "deposit", "900");
  // The deposit and the balance's refetch wait behind scrypt sign-ups of parallel tests on a busy machine.
  await expect(balance(page)).toHaveText("€900.00", { timeout: 20_000 });

  // Confirmation of payee: the holder's masked name is shown before anything is saved.
  await page.goto("/payees");
  const add = page.getByRole("form", { name: "Add a payee" });
  await add.getByLabel("Name for this payee").fill("Pat (rent)");
  await add.getByLabel("Account number").fill(patNumber.replaceAll(" ", "").toLowerCase());
  await add.getByRole("button", { name: "Check payee" }).click();
  await expect(page.getByTestId("holder-name")).toHaveText("P** Pa***");
  await expect(page.getByText("No payees yet.")).toBeVisible();
  await page.getByRole("button", { name: "Save payee" }).click();
  const payees = page.getByRole("region", { name: "Payee list" });
  await expect(payees.getByRole("row", { name: /P\*\* Pa\*\*\*/ })).toBeVisible();
  await expect(payees.getByText(patNumber)).toBeVisible();

  // Pay the payee from the transfer form: no account number to type.
  await payees.getByRole("link", { name: "Pay" }).click();
  await expect(page.getByLabel("A saved payee")).toBeChecked();
  await expect(page.getByLabel("Payee", { exact: true })).toHaveValue(/[0-9a-f-]{36}/);
  await page.getByLabel("Amount", { exact: true }).fill("120.50");
  await page.getByLabel("Reference (optional)").fill("Deposit");
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.getByTestId("payee-name")).toHaveText("P** Pa***");
  await page.getByRole("button", { name: "Confirm transfer" }).click();
  await expect(page.getByTestId("transfer-status")).toHaveText("Completed", { timeout: 20_000 });
  await page.goto(`/accounts/${robinAccount}`);
  await expect(balance(page)).toHaveText("€779.50");

  // A monthly standing order to the same payee, from tomorrow, on the 31st (month ends clamp).
  await page.goto("/orders/new");
  const order = page.getByRole("form", { name: "New order" });
  await order.getByLabel("To", { exact: true }).selectOption({ label: `Pat (rent) · ${patNumber}` });
  await order.getByLabel("Amount", { exact: true }).fill("450");
  await order.getByLabel("Reference (optional)").fill("Rent");
  await order.getByLabel("Repeat").selectOption("monthly");
  await order.getByLabel("First payment date").fill(inDays(1));
  await order.getByLabel("Day of the month").fill("31");
  await order.getByLabel("Number of payments (optional)").fill("12");
  await order.getByLabel("Time zone").fill("Europe/Berlin");
  await order.getByRole("button", { name: "Set up order" }).click();
  await expect(page).toHaveURL(/\/orders\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("€450.00 to P** Pa***");
  await expect(page.getByTestId("next-payment")).not.toHaveText("None");

  await page.goto("/orders");
  const row = page.getByRole("region", { name: "Your orders" }).getByRole("row", { name: /P\*\* Pa\*\*\*/ });
  await expect(row).toContainText("€450.00");
  await expect(row).toContainText("Monthly on the 31st (or the month's last day)");
  await expect(row).toContainText("12 times");
  await expect(row).toContainText("active");

  // Someone else's order is simply not there.
  const orderUrl = new URL((await row.getByRole("link").getAttribute("href")) ?? "", page.url()).pathname;
  await signOut(page);
  await signUp(page, "Nosy Neighbour");
  const response = await page.goto(orderUrl);
  expect(response?.status()).toBe(404);
});

test("refuses a payee with an unknown account number and an order dated in the past, saving nothing", async ({ page }) => {
  await signUp(page, "Vera Validator");
  await openAccount(page, "EUR", "Main");
  await page.goto("/payees");
  const add = page.getByRole("form", { name: "Add a payee" });
  await add.getByLabel("Name for this payee").fill("Nobody");
  await add.getByLabel("Account number").fill("LL00 0000 0000");
  await add.getByRole("button", { name: "Check payee" }).click();
  await expect(add.getByText(/not a valid account number|No account has that number/)).toBeVisible();
  await expect(page.getByText("No payees yet.")).toBeVisible();

  await page.goto("/orders/new");
  const order = page.getByRole("form", { name: "New order" });
  await order.getByLabel("Account number (when not a saved payee)").fill("LL00 0000 0000");
  await order.getByLabel("Amount", { exact: true }).fill("10");
  await order.getByLabel("Repeat").selectOption("once");
  await order.getByLabel("First payment date").fill(inDays(-3));
  await order.getByRole("button", { name: "Set up order" }).click();
  await expect(order.getByText(/cannot be before today|not a valid account number|No account has that number/).first()).toBeVisible();
  await page.goto("/orders");
  await expect(page.getByText("No orders yet.")).toBeVisible();
});
