import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

// The layers of docs/architecture.md are kept by eslint.config.mjs; these cases break them on
// purpose and expect the linter to say so, and leave the allowed direction alone.
const eslint = new ESLint({ cwd: process.cwd() });

async function layeringErrors(filePath: string, source: string): Promise<string[]> {
  const results = await eslint.lintText(source, { filePath });
  return results
    .flatMap((result) => result.messages)
    .filter((m) => m.ruleId?.endsWith("no-restricted-imports"))
    .map((m) => m.message);
}

describe("layering", { timeout: 60_000 }, () => {
  it("refuses the domain importing the database", async () => {
    const errors = await layeringErrors("lib/domain/account/x.ts", 'import { db } from "@/lib/db/client";\nexport const y = db;\n');
    expect(errors).toEqual([expect.stringContaining("domain may not import this layer")]);
  });

  it("refuses a page importing the database or the event store, also by a relative path", async () => {
    const errors = await layeringErrors(
      "app/(bank)/x/page.tsx",
      'import { db } from "../../../lib/db/client";\nimport { appendToStream } from "@/lib/event-store/append";\nexport const y = [db, appendToStream];\n',
    );
    expect(errors).toHaveLength(2);
  });

  it("refuses the public API importing the DAL, and a component importing server code", async () => {
    expect(await layeringErrors("lib/api/x.ts", 'import { x } from "@/lib/dal/accounts";\nexport const y = x;\n')).toHaveLength(1);
    expect(
      await layeringErrors("components/x.tsx", 'import { readAuditPage } from "@/lib/read-models/audit";\nexport const y = readAuditPage;\n'),
    ).toHaveLength(1);
  });

  it("allows the direction the table lists, and DTO types in components", async () => {
    expect(await layeringErrors("lib/dal/x.ts", 'import { db } from "@/lib/db/client";\nexport const y = db;\n')).toEqual([]);
    expect(
      await layeringErrors("components/x.tsx", 'import type { AuditRowDto } from "@/lib/read-models/audit";\nexport type Y = AuditRowDto;\n'),
    ).toEqual([]);
  });
});

// The other rule kept with the layers: a cast through `unknown` only in the database adapter.
describe("casts through unknown", { timeout: 60_000 }, () => {
  const source = "export const a = 1 as unknown as string;\nexport const b = (2 as unknown) as string;\nexport const c = 3 as unknown;\n";
  const castErrors = async (filePath: string) =>
    (await eslint.lintText(source, { filePath })).flatMap((result) => result.messages).filter((m) => m.ruleId === "no-restricted-syntax");

  it("are refused outside lib/db/adapter.ts, in the app as in tests (a bare `as unknown` is not one)", async () => {
    for (const filePath of ["lib/event-store/x.ts", "lib/db/client-x.ts", "tests/integration/x.test.ts"]) {
      const errors = await castErrors(filePath);
      expect(
        errors.map((m) => m.line),
        filePath,
      ).toEqual([1, 2]);
      expect(errors[0]?.message).toContain("lib/db/adapter.ts");
    }
  });

  it("are allowed in the adapter", async () => {
    expect(await castErrors("lib/db/adapter.ts")).toEqual([]);
  });
});
