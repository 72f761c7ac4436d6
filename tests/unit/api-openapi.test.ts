import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

import { validate } from "@readme/openapi-parser";
import { describe, expect, it } from "vitest";

import { openApiDocument } from "@/lib/api/openapi";
import { operations } from "@/lib/api/operations";

import { checkOpenApiDocument, operationsOf } from "../support/openapi-check";

const limits = { maxAmount: 100_000_000n, maxTransferAmount: 50_000_000n };
const root = path.resolve(import.meta.dirname, "../../app/api/v1");

/** Every exported method of every route file under app/api/v1, as "GET /accounts/{accountId}". */
function routeFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name === "route.ts") {
        const route = `/${path.relative(root, dir)}`.replace(/\[(\w+)\]/g, "{$1}");
        if (route.includes("[...")) continue; // the catch-all 404
        for (const [, method] of readFileSync(full, "utf8").matchAll(/export (?:const|function) (GET|POST|PUT|PATCH|DELETE)\b/g))
          out.push(`${method} ${route}`);
      }
    }
  };
  walk(root);
  return out.sort();
}

describe("the OpenAPI document", () => {
  const document = openApiDocument(limits);

  it("validates as OpenAPI 3.1 with @readme/openapi-parser", async () => {
    // The validator resolves $refs in place, so give it a copy.
    const result = await validate(structuredClone(document) as Parameters<typeof validate>[0]);
    expect(result).toMatchObject({ valid: true, warnings: [] });
  });

  it("is refused by the same validator once broken (the check can fail)", async () => {
    const broken = structuredClone(document) as Record<string, unknown>;
    delete broken.info;
    expect((await validate(broken as Parameters<typeof validate>[0])).valid).toBe(false);
  });

  it("passes the strict structural check", () => {
    expect(checkOpenApiDocument(document)).toEqual([]);
  });

  it("lists every route under app/api/v1, and nothing that is not one", () => {
    // A file's path names its type ({month}.pdf); Next's folder [month] receives that segment whole.
    expect(operationsOf(document).map((operation) => operation.replace(/\}\.\w+$/, "}"))).toEqual(routeFiles());
    expect(operationsOf(document)).toHaveLength(Object.keys(operations).length);
  });

  it("describes the amount as the command layer accepts it, with the configured limits", () => {
    const schemas = (document.components as { schemas: Record<string, { properties: Record<string, { oneOf?: { maximum?: number }[] }> }> }).schemas;
    expect(schemas.DepositRequest?.properties.amount?.oneOf?.[0]?.maximum).toBe(100_000_000);
    expect(schemas.RequestTransferRequest?.properties.amount?.oneOf?.[0]?.maximum).toBe(50_000_000);
    expect(schemas.DepositRequest).toMatchObject({ additionalProperties: false, required: ["amount"] });
  });

  it("needs an Idempotency-Key on every money-moving POST, and a bearer token everywhere but sign-up, token and this document", () => {
    const paths = document.paths as Record<string, Record<string, { parameters: { name: string; required: boolean }[]; security: unknown[] }>>;
    for (const [route, method] of [
      ["/accounts/{accountId}/deposits", "post"],
      ["/accounts/{accountId}/withdrawals", "post"],
      ["/transfers", "post"],
    ] as const) {
      expect(paths[route]?.[method]?.parameters.find((p) => p.name === "Idempotency-Key")?.required).toBe(true);
    }
    const open = Object.entries(paths).flatMap(([route, item]) =>
      Object.entries(item)
        .filter(([, op]) => op.security.length === 0)
        .map(([m]) => `${m} ${route}`),
    );
    expect(open.sort()).toEqual(["get /openapi.json", "post /auth/signup", "post /auth/token"]);
  });

  it("the checker itself catches a broken document", () => {
    const broken = structuredClone(document) as { paths: Record<string, Record<string, { parameters: unknown[]; responses: unknown }>> };
    const deposit = broken.paths["/accounts/{accountId}/deposits"]!.post!;
    deposit.parameters = [];
    deposit.responses = { "201": { content: { "application/json": { schema: { $ref: "#/components/schemas/Nope" } } } } };
    const problems = checkOpenApiDocument(broken);
    expect(problems.some((p) => p.includes("{accountId} is not declared"))).toBe(true);
    expect(problems.some((p) => p.includes("needs a description"))).toBe(true);
    expect(problems.some((p) => p.includes("#/components/schemas/Nope does not resolve"))).toBe(true);
  });
});
