import { seriousViolations, signInAsAdmin } from "./support/admin";
import { expect, test } from "./support/test";

test("the main back-office pages have no serious or critical axe violations", async ({ page }) => {
  test.setTimeout(120_000);
  await signInAsAdmin(page);
  await page.goto("/admin?q=dana");
  expect(await seriousViolations(page)).toEqual([]);

  await page.getByRole("link", { name: "Dana Whitfield" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Dana Whitfield" })).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);

  await page.getByRole("link", { name: "Everyday" }).click();
  await expect(page.getByRole("heading", { name: "Summary" })).toBeVisible();
  const accountUrl = page.url();
  // The freeze form with its errors showing.
  await page.getByRole("form", { name: "Freeze account" }).getByRole("button", { name: "Freeze account" }).click();
  await expect(page.getByRole("form", { name: "Freeze account" }).getByText("Reason is required.")).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);

  await page.goto(`${accountUrl}/history?position=5`);
  await expect(page.getByRole("heading", { name: "As of position 5" })).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);

  for (const [path, heading] of [
    ["/admin/transfers", "Held transfers"],
    ["/admin/approvals", "Approvals"],
    ["/admin/sanctions", "Sanctions list"],
    ["/admin/audit", "Audit trail"],
    ["/admin/projections", "Projections"],
    ["/admin/streams/sanctions", "Event inspector"],
  ] as const) {
    await page.goto(path);
    await expect(page.getByRole("heading", { level: 1, name: heading })).toBeVisible();
    expect(await seriousViolations(page), path).toEqual([]);
  }
  await page.getByRole("link", { name: "Projections" }).click();
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page.getByTestId("verify-report")).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);

  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto("/admin/audit");
  expect(await seriousViolations(page)).toEqual([]);
});
