import { randomUUID } from "node:crypto";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { depositMoney, freezeAccount, openAccount, withdrawMoney } from "@/lib/commands/accounts";
import { DomainError, ValidationError } from "@/lib/domain/shared/errors";

import { admin, context, meta } from "../support/commands";
import { backends, type TestDatabase } from "../support/databases";
import { countEvents } from "../support/queries";

describe.each(backends)("bad input to the command layer on $name", (backend) => {
  let t: TestDatabase;
  let accountId: string;
  beforeAll(async () => {
    t = await backend.create();
    ({ accountId } = await openAccount(context(t.db), { customerId: "c1", currency: "EUR" }, meta()));
  });
  afterAll(() => t.drop());

  const badAmounts: [string, unknown][] = [
    ["negative", -5],
    ["zero", 0],
    ["fractional", 1.5],
    ["fractional text", "12.34"],
    ["huge", 10n ** 30n],
    ["above the per-command limit", 100_000_001],
    ["non-numeric", "abc"],
    ["exponent", "1e9"],
    ["NaN", Number.NaN],
    ["Infinity", Number.POSITIVE_INFINITY],
    ["missing", undefined],
    ["an object", { amount: 5 }],
  ];

  it.each(badAmounts)("refuses a %s amount with a typed validation error and appends nothing", async (_label, amount) => {
    const before = await countEvents(t.db);
    for (const command of [depositMoney, withdrawMoney]) {
      const error = await command(context(t.db), { accountId, amount }, meta()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).fieldErrors.amount?.length).toBeGreaterThan(0);
    }
    expect(await countEvents(t.db)).toBe(before);
  });

  it("refuses an unknown currency", async () => {
    const before = await countEvents(t.db);
    const error = await openAccount(context(t.db), { customerId: "c1", currency: "XXX" }, meta()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).fieldErrors.currency).toBeDefined();
    expect(await countEvents(t.db)).toBe(before);
  });

  it("refuses a missing account, and an account id that is not an id", async () => {
    const before = await countEvents(t.db);
    await expect(depositMoney(context(t.db), { accountId: randomUUID(), amount: 100 }, meta())).rejects.toMatchObject({
      constructor: DomainError,
      code: "ACCOUNT_NOT_FOUND",
    });
    await expect(depositMoney(context(t.db), { accountId: "'; drop table events; --", amount: 100 }, meta())).rejects.toBeInstanceOf(ValidationError);
    expect(await countEvents(t.db)).toBe(before);
  });

  it("lists every bad field at once, and refuses a freeze without a reason", async () => {
    const error = (await depositMoney(context(t.db), { accountId: "nope", amount: -1, reference: "x".repeat(500) }, meta()).catch(
      (e: unknown) => e,
    )) as ValidationError;
    expect(Object.keys(error.fieldErrors).sort()).toEqual(["accountId", "amount", "reference"]);
    const before = await countEvents(t.db);
    await expect(freezeAccount(context(t.db), { accountId, category: "other", reason: "   " }, meta({ actor: admin }))).rejects.toBeInstanceOf(
      ValidationError,
    );
    expect(await countEvents(t.db)).toBe(before);
  });
});
