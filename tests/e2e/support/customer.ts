import { randomBytes } from "node:crypto";

import { expect, type Page } from "@playwright/test";

export type Customer = { name: string; email: string; password: string };

/**
 * A fresh customer per test, signed up through the real form (and so signed in). Signing up and in
 * hash the password with scrypt (128 MiB, deliberately slow); with two browsers and the server on
 * two busy cores that alone can pass Playwright's 5 s default, hence the longer waits for the
 * dashboard here and in the specs.
 */
export async function signUp(page: Page, name = "Test Customer"): Promise<Customer> {
  const customer = { name, email: `e2e-${randomBytes(6).toString("hex")}@example.com`, password: "correct horse battery" };
  await page.goto("/sign-up");
  await page.getByLabel("Full name").fill(customer.name);
  await page.getByLabel("Email").fill(customer.email);
  await page.getByLabel("Password").fill(customer.password);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/dashboard$/, { timeout: 20_000 });
  return customer;
}

export async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
}

export async function signOut(page: Page): Promise<void> {
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await expect(page).toHaveURL(/\/sign-in/);
}

/** Opens an account and returns its id (from the URL of the page it lands on). */
export async function openAccount(page: Page, currency: string, nickname: string): Promise<string> {
  await page.goto("/accounts/new");
  await page.getByLabel("Currency").selectOption(currency);
  await page.getByLabel("Nickname (optional)").fill(nickname);
  await page.getByRole("button", { name: "Open account" }).click();
  await expect(page.getByRole("heading", { level: 1, name: nickname })).toBeVisible();
  const id = /\/accounts\/([0-9a-f-]{36})/.exec(page.url())?.[1];
  if (!id) throw new Error(`no account id in ${page.url()}`);
  return id;
}

export const depositForm = (page: Page) => page.getByRole("form", { name: "Deposit" });
export const withdrawForm = (page: Page) => page.getByRole("form", { name: "Withdraw" });

export async function moveMoney(page: Page, kind: "deposit" | "withdraw", amount: string, reference = ""): Promise<void> {
  const form = kind === "deposit" ? depositForm(page) : withdrawForm(page);
  await form.getByLabel(/Amount/).fill(amount);
  await form.getByLabel("Reference (optional)").fill(reference);
  await form.getByRole("button", { name: kind === "deposit" ? "Deposit" : "Withdraw" }).click();
}

export const balance = (page: Page) => page.getByTestId("balance");

/** The statement's body rows as [movement, amount, balance] text. */
export async function statementRows(page: Page): Promise<string[][]> {
  const rows = page.getByRole("region", { name: "Statement", exact: true }).getByRole("row");
  const count = await rows.count();
  const out: string[][] = [];
  for (let i = 1; i < count; i++) {
    const cells = await rows.nth(i).getByRole("cell").allInnerTexts();
    out.push([cells[1] ?? "", cells[3] ?? "", cells[4] ?? ""].map((text) => text.trim()));
  }
  return out;
}

/** Fills the transfer form, reviews, and confirms; returns the payee name shown on the review. */
export async function sendTransfer(
  page: Page,
  options: { fromLabel?: RegExp; toOwn?: RegExp; toNumber?: string; amount: string; reference?: string },
): Promise<string> {
  await page.goto("/transfers/new");
  if (options.fromLabel) await page.getByLabel("From", { exact: true }).selectOption({ label: await optionLabel(page, "From", options.fromLabel) });
  if (options.toOwn) {
    await page.getByLabel("One of my accounts").check();
    await page.getByLabel("Into").selectOption({ label: await optionLabel(page, "Into", options.toOwn) });
  } else {
    await page.getByLabel("Payee's account number").fill(options.toNumber ?? "");
  }
  await page.getByLabel("Amount", { exact: true }).fill(options.amount);
  await page.getByLabel("Reference (optional)").fill(options.reference ?? "");
  await page.getByRole("button", { name: "Continue" }).click();
  const payee = (await page.getByTestId("payee-name").innerText()).trim();
  await page.getByRole("button", { name: "Confirm transfer" }).click();
  await expect(page).toHaveURL(/\/transfers\/[0-9a-f-]{36}$/);
  return payee;
}

async function optionLabel(page: Page, select: string, pattern: RegExp): Promise<string> {
  const labels = await page.getByLabel(select, { exact: true }).locator("option").allInnerTexts();
  const label = labels.find((text) => pattern.test(text));
  if (!label) throw new Error(`no option matching ${pattern} in ${labels.join(" | ")}`);
  return label;
}

/** The account number shown under an account page's title, e.g. "LL12 3456 7890". */
export async function accountNumber(page: Page, accountId: string): Promise<string> {
  await page.goto(`/accounts/${accountId}`);
  const text = await page.locator(".page-head .mono").first().innerText();
  return text.split("·")[0]!.trim();
}
