import AxeBuilder from "@axe-core/playwright";
import { expect, type Browser, type Page } from "@playwright/test";

import { signIn } from "./customer";
import { DEMO_ADMIN_TOTP_SECRET, DEMO_SECOND_ADMIN_TOTP_SECRET, enterSignInCode, oncePerSuite } from "./totp";

/** The demo admin seeded on the embedded database (README). */
export const DEMO_ADMIN = { email: "avery@ledgerline.dev", password: "steady-audit-42" };

/** The second demo admin (README), who approves what the first asked for. */
export const DEMO_SECOND_ADMIN = { email: "blake@ledgerline.dev", password: "careful-review-42" };

/** A page in its own browser context, so an admin and a customer can be signed in side by side. */
export async function separatePage(browser: Browser): Promise<Page> {
  const context = await browser.newContext();
  return context.newPage();
}

/**
 * Signs a demo admin in: password, then a code from its published authenticator secret. The suite
 * signs each admin in once and shares that session's cookie (each code works once, and tests run in
 * parallel); no test signs an admin out.
 */
async function signInOncePerSuite(page: Page, name: string, admin: { email: string; password: string }, secret: string): Promise<void> {
  const { value: cookies, made } = await oncePerSuite(name, async () => {
    await signIn(page, admin.email, admin.password);
    await enterSignInCode(page, secret);
    await expect(page).toHaveURL(/\/dashboard$/, { timeout: 20_000 });
    return (await page.context().storageState()).cookies;
  });
  if (!made) {
    await page.context().addCookies(cookies);
    await page.goto("/dashboard");
  }
  await expect(page).toHaveURL(/\/dashboard$/, { timeout: 20_000 });
}

export const signInAsAdmin = (page: Page) => signInOncePerSuite(page, "admin-session", DEMO_ADMIN, DEMO_ADMIN_TOTP_SECRET);

/** The second demo admin, who approves what the first asked for. */
export const signInAsSecondAdmin = (page: Page) => signInOncePerSuite(page, "second-admin-session", DEMO_SECOND_ADMIN, DEMO_SECOND_ADMIN_TOTP_SECRET);

/** The account number under an account page's title ("LL12 3456 7890"), from the customer's page. */
export async function numberOfAccount(page: Page, accountId: string): Promise<string> {
  await page.goto(`/accounts/${accountId}`);
  const text = await page.locator(".page-head .mono").first().innerText();
  return text.split("·")[0]!.trim();
}

/** Sends money to someone else's account through the transfer form; returns the new transfer's id. */
export async function transferTo(page: Page, options: { toNumber: string; amount: string; reference: string }): Promise<string> {
  await page.goto("/transfers/new");
  await page.getByLabel("Someone else's account").check();
  await page.getByLabel("Payee's account number").fill(options.toNumber);
  await page.getByLabel("Amount", { exact: true }).fill(options.amount);
  await page.getByLabel("Reference (optional)").fill(options.reference);
  await page.getByRole("button", { name: "Continue" }).click();
  await page.getByRole("button", { name: "Confirm transfer" }).click();
  await expect(page).toHaveURL(/\/transfers\/[0-9a-f-]{36}$/);
  return /\/transfers\/([0-9a-f-]{36})$/.exec(page.url())![1]!;
}

/** Opens the admin's page for an account by searching for its number, as an admin would. */
export async function findAccountAsAdmin(page: Page, accountNumber: string): Promise<void> {
  await page.goto("/admin");
  await page.getByLabel("Name, email or account number").fill(accountNumber);
  await page.getByRole("button", { name: "Search" }).click();
  await page.getByRole("link", { name: accountNumber }).click();
  await expect(page.getByText(accountNumber).first()).toBeVisible();
  await expect(page.getByRole("heading", { name: "Summary" })).toBeVisible();
}

/** The body rows of the audit table, by global position. */
export function auditRows(page: Page) {
  return page.getByRole("region", { name: "Audit entries" }).locator("tbody tr");
}

export async function seriousViolations(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  return results.violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map((violation) => ({ id: violation.id, impact: violation.impact, nodes: violation.nodes.map((node) => node.target.join(" ")) }));
}
