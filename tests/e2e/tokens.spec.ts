import AxeBuilder from "@axe-core/playwright";

import { API } from "./support/api";
import { signOut, signUp } from "./support/customer";
import { expect, test, type Page } from "./support/test";

async function seriousViolations(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  return results.violations.filter((violation) => violation.impact === "serious" || violation.impact === "critical").map((violation) => violation.id);
}

test("a customer creates a personal API token (shown once), uses it, and revokes it", async ({ page }) => {
  const customer = await signUp(page, "Tara Tokens");
  await page.goto("/settings/tokens");
  await expect(page.getByRole("heading", { level: 1, name: "API tokens" })).toBeVisible();
  await expect(page.getByText("No tokens yet.")).toBeVisible();

  const form = page.getByRole("form", { name: "Create a token" });
  await form.getByRole("button", { name: "Create token" }).click();
  await expect(form.getByText("Name is required.")).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
  await form.getByLabel("Name").fill("Budget script");
  await form.getByLabel("Expires after").selectOption("7");
  await form.getByRole("button", { name: "Create token" }).click();
  const shown = page.getByLabel("Your new token");
  await expect(shown).toHaveValue(/^llt_[A-Za-z0-9_-]{43}$/);
  const token = await shown.inputValue();
  expect(await seriousViolations(page)).toEqual([]);

  const tokens = page.getByRole("region", { name: "Your tokens" });
  const row = tokens.getByRole("row", { name: /Budget script/ });
  await expect(row).toContainText(token.slice(0, 10));
  await expect(row).toContainText("Active");
  await expect(row).toContainText("Never");

  const me = await page.request.get(`${API}/accounts`, { headers: { authorization: `Bearer ${token}` } });
  expect(me.status()).toBe(200);
  // Once the page is reloaded the token is gone for good: only its first characters remain.
  await page.reload();
  await expect(page.getByLabel("Your new token")).toHaveCount(0);
  await expect(page.getByText(token)).toHaveCount(0);
  await expect(row).not.toContainText("Never");

  await row.getByRole("button", { name: "Revoke Budget script" }).click();
  await expect(row).toContainText("Revoked");
  await expect(row.getByRole("button")).toHaveCount(0);
  expect((await page.request.get(`${API}/accounts`, { headers: { authorization: `Bearer ${token}` } })).status()).toBe(401);
  await signOut(page);
  expect(customer.email).toContain("@");
});

test("a customer cannot revoke another customer's token by changing the form", async ({ page, browser }) => {
  await signUp(page, "Owner Token");
  await page.goto("/settings/tokens");
  await page.getByRole("form", { name: "Create a token" }).getByLabel("Name").fill("Keep me");
  await page.getByRole("form", { name: "Create a token" }).getByRole("button", { name: "Create token" }).click();
  const token = await page.getByLabel("Your new token").inputValue();
  const ownerTokenId = await page.locator('input[name="tokenId"]').first().inputValue();

  const other = await browser.newPage();
  await signUp(other, "Tamper Tom");
  await other.goto("/settings/tokens");
  await other.getByRole("form", { name: "Create a token" }).getByLabel("Name").fill("Mine");
  await other.getByRole("form", { name: "Create a token" }).getByRole("button", { name: "Create token" }).click();
  await expect(other.getByRole("button", { name: "Revoke Mine" })).toBeVisible();
  // Tamper and submit in one step: the live page may re-render the list (resetting the hidden field)
  // whenever an event of this customer arrives. Then wait for the action's answer before looking.
  const answered = other.waitForResponse((response) => response.request().method() === "POST" && response.url().includes("/settings/tokens"));
  await other
    .locator('input[name="tokenId"]')
    .first()
    .evaluate((input: HTMLInputElement, id) => {
      input.value = id;
      input.form?.requestSubmit();
    }, ownerTokenId);
  await answered;
  await other.reload();
  await expect(other.getByRole("region", { name: "Your tokens" }).getByRole("row", { name: /Mine/ })).toContainText("Active");
  await other.close();

  expect((await page.request.get(`${API}/accounts`, { headers: { authorization: `Bearer ${token}` } })).status()).toBe(200);
});
