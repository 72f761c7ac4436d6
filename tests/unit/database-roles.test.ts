import { describe, expect, it } from "vitest";

import { appRoleFor, roleOfUrl } from "@/lib/db/roles";
import { serverConfigProblems } from "@/lib/env";

describe("the app role from DATABASE_URL and DATABASE_OWNER_URL", () => {
  it("is DATABASE_URL's user, with its password (decoded) for when the role has to be created", () => {
    expect(appRoleFor("postgres://ledgerline_app:s%40fe%2Fpw@db:5432/ledgerline", "postgres://ledgerline:owner-pw@db:5432/ledgerline")).toEqual({
      name: "ledgerline_app",
      password: "s@fe/pw",
    });
    expect(roleOfUrl("postgres://app@127.0.0.1/test")).toEqual({ name: "app" });
  });

  it("is none when both URLs sign in as the same role (one role: nothing is restricted) or the URL names no user", () => {
    expect(appRoleFor("postgres://ledgerline:pw@pooler:6543/db", "postgres://ledgerline:pw@direct:5432/db")).toBeUndefined();
    expect(appRoleFor("postgres://db:5432/ledgerline", "postgres://ledgerline:pw@db/ledgerline")).toBeUndefined();
  });
});

describe("configuration", () => {
  it("refuses DATABASE_OWNER_URL without DATABASE_URL, and a DATABASE_OWNER_URL that is not postgres://", () => {
    expect(serverConfigProblems({ NODE_ENV: "test", DATABASE_OWNER_URL: "postgres://owner@db/bank" })).toEqual([
      "DATABASE_OWNER_URL: DATABASE_OWNER_URL needs DATABASE_URL (the app role's URL) beside it",
    ]);
    expect(serverConfigProblems({ NODE_ENV: "test", DATABASE_URL: "postgres://app@db/bank", DATABASE_OWNER_URL: "mysql://owner@db/bank" })).toEqual([
      "DATABASE_OWNER_URL: DATABASE_OWNER_URL must be a postgres:// or postgresql:// URL",
    ]);
    expect(
      serverConfigProblems({ NODE_ENV: "test", DATABASE_URL: "postgres://app@db/bank", DATABASE_OWNER_URL: "postgres://owner@db/bank" }),
    ).toEqual([]);
  });
});
