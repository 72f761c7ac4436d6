import { separatePage } from "./support/admin";
import { balance, moveMoney, openAccount, signIn, signOut, signUp } from "./support/customer";
import { expect, test, type Page } from "./support/test";

/** The newest mail to `to` with `subject` in the development mailbox (mails are kept: no SMTP_URL). */
async function openMailLink(page: Page, to: string, subject: string, linkText: RegExp): Promise<void> {
  const mail = page.getByRole("article", { name: `Mail to ${to}: ${subject}` }).first();
  await expect
    .poll(
      async () => {
        await page.goto("/dev/mailbox");
        return mail.count();
      },
      { timeout: 20_000 },
    )
    .toBeGreaterThan(0);
  await mail.getByRole("link", { name: linkText }).click();
}

// One journey: a new customer confirms their address from the mailbox, sees a deposit arrive in
// the inbox (the header's unread count updates without a reload) and marks it read; then forgets
// the password, resets it from the mailed link, and the session left open elsewhere is gone.
test("inbox, email confirmation and a password reset through the development mailbox", async ({ page, browser }) => {
  test.setTimeout(180_000);
  const customer = await signUp(page, "Nora Notified");
  const banner = page.getByRole("region", { name: "Confirm your email address" });
  await expect(banner).toBeVisible();
  await openMailLink(page, customer.email, "Confirm your email address for Ledgerline", /\/verify-email\?token=/);
  await expect(page.getByRole("status")).toContainText(`${customer.email} is confirmed`);
  await page.goto("/dashboard");
  await expect(banner).toBeHidden();

  await openAccount(page, "EUR", "Everyday");
  await expect(page.getByTestId("unread-count")).toBeHidden();
  await moveMoney(page, "deposit", "42.00", "Pocket money");
  await expect(balance(page)).toHaveText("€42.00");
  await expect(page.getByTestId("unread-count")).toContainText("1", { timeout: 20_000 });
  await page.getByTestId("inbox-link").click();
  const item = page.getByTestId("notification").first();
  await expect(item).toContainText("Money received");
  await expect(item).toContainText("€42.00");
  await item.getByRole("button", { name: /Mark "Money received" .* as read/ }).click();
  await expect(page.getByTestId("unread-count")).toBeHidden();
  await expect(item.getByRole("button", { name: /as read/ })).toHaveCount(0);

  // A second browser stays signed in; the reset must end that session too.
  const elsewhere = await separatePage(browser);
  await signIn(elsewhere, customer.email, customer.password);
  await expect(elsewhere).toHaveURL(/\/dashboard$/, { timeout: 20_000 });

  await signOut(page);
  await page.getByRole("link", { name: "Forgot password?" }).click();
  // The sign-in form has an Email field too: wait for the new page before typing.
  await expect(page.getByRole("heading", { name: "Forgot your password?" })).toBeVisible();
  await page.getByLabel("Email").fill(customer.email);
  await page.getByRole("button", { name: "Send me a link" }).click();
  await expect(page.getByRole("status")).toContainText("If an account uses that address");
  await openMailLink(page, customer.email, "Reset your Ledgerline password", /\/reset-password\?token=/);
  const newPassword = "lantern meadow copper 58";
  await expect(page.getByRole("heading", { name: "Choose a new password" })).toBeVisible();
  const resetLink = page.url();
  await page.getByLabel("New password").fill(newPassword);
  await page.getByRole("button", { name: "Set new password" }).click();
  await expect(page.getByRole("status")).toContainText("Your password is changed");

  // The same link a second time is refused.
  await page.goto(resetLink);
  await page.getByLabel("New password").fill("another meadow copper 59");
  await page.getByRole("button", { name: "Set new password" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "not valid any more" })).toBeVisible();

  await signIn(page, customer.email, customer.password);
  await expect(page.getByRole("alert").filter({ hasText: "do not match" })).toBeVisible();
  await signIn(page, customer.email, newPassword);
  await expect(page).toHaveURL(/\/dashboard$/, { timeout: 20_000 });

  await elsewhere.goto("/dashboard");
  await expect(elsewhere).toHaveURL(/\/sign-in/);
  await elsewhere.context().close();
});
