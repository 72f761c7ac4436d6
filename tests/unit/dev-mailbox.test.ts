import { describe, expect, it } from "vitest";

import { devMailboxEnabled } from "@/lib/dal/mailbox";

describe("the development mailbox", () => {
  it("is on in development on the embedded database, and off in production unless asked", () => {
    expect(devMailboxEnabled({ NODE_ENV: "development", DATABASE_URL: undefined, DEV_MAILBOX: undefined })).toBe(true);
    expect(devMailboxEnabled({ NODE_ENV: "production", DATABASE_URL: undefined, DEV_MAILBOX: undefined })).toBe(false);
    expect(devMailboxEnabled({ NODE_ENV: "production", DATABASE_URL: undefined, DEV_MAILBOX: "true" })).toBe(true);
    expect(devMailboxEnabled({ NODE_ENV: "development", DATABASE_URL: undefined, DEV_MAILBOX: "false" })).toBe(false);
  });

  it("never shows a real database's mail, whatever DEV_MAILBOX says", () => {
    expect(devMailboxEnabled({ NODE_ENV: "development", DATABASE_URL: "postgres://db/bank", DEV_MAILBOX: "true" })).toBe(false);
    expect(devMailboxEnabled({ NODE_ENV: "production", DATABASE_URL: "postgres://db/bank", DEV_MAILBOX: "true" })).toBe(false);
  });
});
