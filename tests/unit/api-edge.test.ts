import { describe, expect, it } from "vitest";

import { canonicalJson, toJsonText } from "@/lib/api/json";
import { ApiProblem } from "@/lib/api/problem";
import { MAX_BODY_BYTES, readJsonBody, readQuery, validate } from "@/lib/api/request";
import { moneyBody } from "@/lib/api/schemas";

const post = (body: BodyInit | null, headers: Record<string, string> = { "content-type": "application/json" }) =>
  new Request("http://localhost/api/v1/x", { method: "POST", body, headers, duplex: "half" } as RequestInit);

async function problemOf(promise: Promise<unknown>): Promise<ApiProblem> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof ApiProblem)) throw new Error(`expected an ApiProblem, got ${String(error)}`);
  return error;
}

describe("API JSON", () => {
  it("writes bigints as exact integers, beyond what a double holds", () => {
    expect(toJsonText({ a: 12345678901234567890n, b: [1n, null, undefined], c: undefined, d: "x\u0000" })).toBe(
      '{"a":12345678901234567890,"b":[1,null,null],"d":"x\\u0000"}',
    );
  });

  it("hashes meaning, not spelling: key order does not matter", () => {
    expect(canonicalJson({ b: 1, a: { d: 2n, c: [true] } })).toBe(canonicalJson({ a: { c: [true], d: 2n }, b: 1 }));
  });
});

describe("reading a request body", () => {
  it("parses JSON sent as application/json, with or without a UTF-8 charset", async () => {
    expect(await readJsonBody(post('{"amount":1}'))).toEqual({ amount: 1 });
    expect(await readJsonBody(post('{"amount":1}', { "content-type": "application/json; charset=utf-8" }))).toEqual({ amount: 1 });
  });

  it("refuses other content types with 415, broken JSON or UTF-8 with 400, and big bodies with 413", async () => {
    expect((await problemOf(readJsonBody(post('{"amount":1}', { "content-type": "text/plain" })))).status).toBe(415);
    expect((await problemOf(readJsonBody(post('{"amount":1}', {})))).status).toBe(415);
    expect((await problemOf(readJsonBody(post('{"amount":1}', { "content-type": "application/json; charset=latin1" })))).status).toBe(415);
    expect((await problemOf(readJsonBody(post('{"amount":')))).code).toBe("MALFORMED_JSON");
    expect((await problemOf(readJsonBody(post("")))).code).toBe("MALFORMED_JSON");
    expect((await problemOf(readJsonBody(post(new Uint8Array([0x7b, 0xff, 0x7d]))))).code).toBe("MALFORMED_JSON");
    const big = `{"reference":"${"x".repeat(MAX_BODY_BYTES)}"}`;
    expect((await problemOf(readJsonBody(post(big)))).status).toBe(413);
    // Without a Content-Length (a stream), reading stops at the limit.
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 40; i++) controller.enqueue(new TextEncoder().encode("x".repeat(1024)));
        controller.close();
      },
    });
    expect((await problemOf(readJsonBody(post(stream)))).status).toBe(413);
  });

  it("lets an optional body be left out", async () => {
    expect(await readJsonBody(post(null, {}), { optional: true })).toBeUndefined();
  });

  it("reports a query parameter given twice", () => {
    expect(readQuery(new URL("http://x/?limit=1&limit=2")).errors).toEqual([{ field: "limit", message: "Give this parameter once." }]);
  });
});

describe("validating a body", () => {
  const schema = moneyBody({ maxAmount: 1000n, maxTransferAmount: 1000n });

  it("lists every field's problem, unknown fields included", () => {
    const problem = (() => {
      try {
        validate(schema, { amount: -1, reference: 7, extra: true, other: 1 }, "body");
      } catch (error) {
        return error as ApiProblem;
      }
    })();
    expect(problem?.code).toBe("VALIDATION_FAILED");
    expect(problem?.errors?.map((e) => e.field).sort()).toEqual(["amount", "extra", "other", "reference"]);
  });

  it("says AMOUNT_TOO_LARGE when that is the only problem", () => {
    expect(() => validate(schema, { amount: 1001 }, "body")).toThrow(expect.objectContaining({ code: "AMOUNT_TOO_LARGE", status: 422 }));
    expect(() => validate(schema, { amount: 1001, reference: 5 }, "body")).toThrow(expect.objectContaining({ code: "VALIDATION_FAILED" }));
  });

  it("accepts an amount as a JSON integer or a string of digits, and nothing else", () => {
    expect(validate(schema, { amount: 25 }, "body").amount).toBe(25n);
    expect(validate(schema, { amount: "25" }, "body").amount).toBe(25n);
    for (const amount of [0, -5, 2.5, "2.50", "1e3", 1e21, null, true, [], {}, "", " ", "0x10", Number.NaN]) {
      expect(() => validate(schema, { amount }, "body"), JSON.stringify(amount)).toThrow(ApiProblem);
    }
  });

  it("wants an object", () => {
    expect(() => validate(schema, [], "body")).toThrow(
      expect.objectContaining({ errors: [{ field: "body", message: "The body must be a JSON object." }] }),
    );
  });
});
