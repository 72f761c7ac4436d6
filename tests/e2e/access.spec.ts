import { balance, moveMoney, openAccount, signIn, signOut, signUp, statementRows } from "./support/customer";
import { expect, test } from "./support/test";
import { DEMO_ADMIN_TOTP_SECRET, enterSignInCode } from "./support/totp";

test("a second customer cannot see or move money in the first customer's account", async ({ page }) => {
  const owner = await signUp(page, "First Owner");
  const firstAccount = await openAccount(page, "EUR", "Mine");
  await moveMoney(page, "deposit", "25.00");
  await expect(balance(page)).toHaveText("€25.00");
  await signOut(page);

  await signUp(page, "Second Person");
  const response = await page.goto(`/accounts/${firstAccount}`);
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Not found" })).toBeVisible();
  expect((await page.request.get(`/accounts/${firstAccount}/statement.csv`)).status()).toBe(404);

  // Call the deposit and withdraw actions with the first customer's account id, by tampering with
  // the second customer's own form: the action itself must refuse.
  await openAccount(page, "EUR", "Theirs");
  for (const name of ["Deposit", "Withdraw"]) {
    const form = page.getByRole("form", { name });
    await form.getByLabel(/Amount/).fill("5.00");
    // Tamper and submit in one step: the live page may re-render the form (resetting the hidden
    // field) whenever an event of this customer arrives.
    await form.locator('input[name="accountId"]').evaluate((input: HTMLInputElement, id) => {
      input.value = id;
      input.form?.requestSubmit();
    }, firstAccount);
    await expect(form.getByRole("alert")).toHaveText("Account not found.");
  }
  await expect(balance(page)).toHaveText("€0.00");
  await signOut(page);

  // The owner's account is untouched.
  await signIn(page, owner.email, owner.password);
  await expect(page).toHaveURL(/\/dashboard$/, { timeout: 20_000 });
  await page.goto(`/accounts/${firstAccount}`);
  await expect(balance(page)).toHaveText("€25.00");
  expect(await statementRows(page)).toEqual([["Deposit", "+€25.00", "€25.00"]]);
});

test("signed-out visitors are sent to sign in from every customer page", async ({ page }) => {
  for (const path of ["/dashboard", "/accounts/new", "/accounts/00000000-0000-4000-8000-000000000000"]) {
    await page.goto(path);
    await expect(page).toHaveURL(/\/sign-in\?next=/);
    await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  }
  expect((await page.request.get("/api/portal/transfers/00000000-0000-4000-8000-000000000000", { maxRedirects: 0 })).status()).toBe(401);
});

test("ten wrong passwords in a row get throttled, even before the right one", async ({ page }) => {
  const customer = await signUp(page, "Careful Person");
  await signOut(page);
  const messages: string[] = [];
  for (let attempt = 1; attempt <= 10; attempt++) {
    await signIn(page, customer.email, `wrong password ${attempt}`);
    const alert = page.getByRole("form").getByRole("alert");
    await expect(alert).toBeVisible();
    messages.push((await alert.innerText()).trim());
  }
  expect(messages.slice(0, 4).every((m) => m.startsWith("That email and password do not match"))).toBe(true);
  expect(messages.slice(5).every((m) => m.startsWith("Too many failed attempts"))).toBe(true);
  // The right password does not get through while the lock holds.
  await signIn(page, customer.email, customer.password);
  await expect(page.getByRole("form").getByRole("alert")).toContainText("Too many failed attempts");
  await expect(page).toHaveURL(/\/sign-in/);
});

test("the demo customer and demo admin from the README can sign in", async ({ page }) => {
  test.setTimeout(150_000);
  await signIn(page, "dana@ledgerline.dev", "sunny-harbour-42");
  await expect(page).toHaveURL(/\/dashboard$/, { timeout: 20_000 });
  const accounts = page.getByRole("region", { name: "Accounts", exact: true }).getByRole("list");
  await expect(accounts.getByRole("link", { name: "Everyday" })).toBeVisible();
  await expect(accounts.getByRole("link", { name: "Savings" })).toBeVisible();
  await accounts.getByRole("link", { name: "Everyday" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Everyday" })).toBeVisible();
  expect((await statementRows(page)).length).toBeGreaterThan(15);
  await signOut(page);

  // The admin has a second factor: after the password, a code from the README's authenticator secret.
  await signIn(page, "avery@ledgerline.dev", "steady-audit-42");
  await enterSignInCode(page, DEMO_ADMIN_TOTP_SECRET);
  await expect(page).toHaveURL(/\/dashboard$/, { timeout: 20_000 });
  await expect(page.getByRole("heading", { name: "Hello, Avery" })).toBeVisible();
  await page.goto("/admin");
  await expect(page).toHaveURL(/\/admin$/);
});
