import { test as base, expect } from "@playwright/test";

export { expect };
export type { Page } from "@playwright/test";

/**
 * Playwright's test with one automatic check: any Content Security Policy violation Chromium
 * reports in the console of a page of the test's context fails the test. Specs that drive pages
 * import `test` from here, so the policy is proven on every page they visit.
 */
export const test = base.extend<{ contentSecurityPolicyViolations: string[] }>({
  contentSecurityPolicyViolations: [
    async ({ context }, use) => {
      const violations: string[] = [];
      context.on("console", (message) => {
        if (/Content[- ]Security[- ]Policy/i.test(message.text())) violations.push(`${message.location().url}: ${message.text()}`);
      });
      await use(violations);
      expect(violations, "Content Security Policy violations in the browser console").toEqual([]);
    },
    { auto: true },
  ],
});
