import AxeBuilder from "@axe-core/playwright";

import { openAccount, signOut, signUp } from "./support/customer";
import { expect, test, type Page } from "./support/test";

async function seriousViolations(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  return results.violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map((violation) => ({ id: violation.id, impact: violation.impact, nodes: violation.nodes.map((node) => node.target.join(" ")) }));
}

test("sign-in, sign-up, forgot-password, dashboard, account, deposit, inbox and notification settings pages have no serious or critical axe violations", async ({
  page,
}) => {
  await signUp(page, "Axel Check");
  await openAccount(page, "EUR", "Accessible");
  const accountUrl = page.url();
  // The deposit form with errors showing, then after a deposit.
  await page.getByRole("form", { name: "Deposit" }).getByRole("button", { name: "Deposit" }).click();
  await expect(page.getByRole("form", { name: "Deposit" }).getByText("Enter an amount.")).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
  await page
    .getByRole("form", { name: "Deposit" })
    .getByLabel(/Amount/)
    .fill("12.34");
  await page.getByRole("form", { name: "Deposit" }).getByRole("button", { name: "Deposit" }).click();
  await expect(page.getByRole("form", { name: "Deposit" }).getByRole("status")).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);

  await page.goto("/dashboard");
  // The banner asking to confirm the address is on every page of a new customer's.
  await expect(page.getByRole("region", { name: "Confirm your email address" })).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
  await page.goto("/notifications");
  await expect(page.getByTestId("notification").first()).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
  await page.goto("/settings/notifications");
  expect(await seriousViolations(page)).toEqual([]);
  await page.goto("/accounts/new");
  expect(await seriousViolations(page)).toEqual([]);
  await page.goto(accountUrl);
  await page.setViewportSize({ width: 390, height: 844 });
  expect(await seriousViolations(page)).toEqual([]);
  await signOut(page);
  expect(await seriousViolations(page)).toEqual([]);
  await page.goto("/sign-up");
  expect(await seriousViolations(page)).toEqual([]);
  await page.goto("/forgot-password");
  expect(await seriousViolations(page)).toEqual([]);
});
