import { Writable } from "node:stream";

import { describe, expect, it } from "vitest";

import { serverConfigProblems } from "@/lib/env";
import { outcomeOf } from "@/lib/event-store/observe";
import { createLogger, maskAccountNumber } from "@/lib/log";
import { bearerMatches } from "@/lib/observability/bearer";
import { idsFromHeaders, saneId } from "@/lib/request-id";

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: createLogger({ level: "info", destination }), lines: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe("logs", () => {
  it("are JSON lines with the level as a word and secrets redacted at any of the usual places", () => {
    const { logger, lines } = capture();
    logger.info(
      {
        password: "hunter2-hunter2",
        body: { password: "pw-in-body", email: "dana@example.com" },
        headers: { authorization: "Bearer ll_secret_token", cookie: "authjs.session-token=abc" },
        request: { headers: { authorization: "Bearer other", "set-cookie": "x=y" } },
        token: "ll_token",
      },
      "hello",
    );
    const [line] = lines();
    expect(line).toMatchObject({ level: "info", msg: "hello", body: { email: "dana@example.com" } });
    const text = JSON.stringify(line);
    for (const secret of ["hunter2", "pw-in-body", "ll_secret_token", "authjs.session-token", "Bearer other", "x=y", "ll_token"]) {
      expect(text).not.toContain(secret);
    }
  });

  it("keep only the last four digits of an account number", () => {
    const { logger, lines } = capture();
    logger.info({ toAccountNumber: "LL12 3456 7890 1234", body: { accountNumber: "9876543210" } }, "transfer");
    const [line] = lines();
    expect(line).toMatchObject({ toAccountNumber: "…1234", body: { accountNumber: "…3210" } });
    expect(maskAccountNumber("12")).toBe("…");
  });

  it("respect the level", () => {
    const destination = new Writable({ write: (_chunk, _encoding, done) => done() });
    const logger = createLogger({ level: "warn", destination });
    expect(logger.isLevelEnabled("info")).toBe(false);
    expect(logger.isLevelEnabled("warn")).toBe(true);
  });
});

describe("server configuration", () => {
  const good = { NODE_ENV: "production", AUTH_SECRET: "a".repeat(32) } as const;

  it("accepts a production configuration with AUTH_SECRET and nothing else", () => {
    expect(serverConfigProblems({ ...good })).toEqual([]);
  });

  it("requires AUTH_SECRET in production only", () => {
    expect(serverConfigProblems({ NODE_ENV: "production" })).toEqual([expect.stringMatching(/^AUTH_SECRET: required in production/)]);
    expect(serverConfigProblems({ NODE_ENV: "development" })).toEqual([]);
  });

  it("names every bad variable at once", () => {
    const problems = serverConfigProblems({
      ...good,
      DATABASE_POOL_MAX: "abc",
      LOG_LEVEL: "loud",
      METRICS_TOKEN: "short",
      DATABASE_URL: "mysql://x",
    });
    expect(problems.map((problem) => problem.split(":")[0])).toEqual(["DATABASE_URL", "DATABASE_POOL_MAX", "LOG_LEVEL", "METRICS_TOKEN"]);
  });

  it("checks the passkeys' origin and relying-party id, and that one belongs to the other", () => {
    expect(serverConfigProblems({ ...good, WEBAUTHN_ORIGIN: "https://bank.example.com", WEBAUTHN_RP_ID: "example.com" })).toEqual([]);
    expect(serverConfigProblems({ ...good, WEBAUTHN_ORIGIN: "https://bank.example.com/app" })).toEqual([
      expect.stringMatching(/^WEBAUTHN_ORIGIN: .*origin only/),
    ]);
    expect(serverConfigProblems({ ...good, WEBAUTHN_RP_ID: "127.0.0.1" })).toEqual([expect.stringMatching(/^WEBAUTHN_RP_ID: .*not an IP/)]);
    expect(serverConfigProblems({ ...good, WEBAUTHN_ORIGIN: "https://bank.example.com", WEBAUTHN_RP_ID: "evil.example" })).toEqual([
      expect.stringMatching(/^WEBAUTHN_RP_ID: must be bank.example.com or a suffix/),
    ]);
  });

  it("refuses a short AUTH_SECRET without repeating it", () => {
    const problems = serverConfigProblems({ NODE_ENV: "production", AUTH_SECRET: "tooshort" });
    expect(problems).toEqual([expect.stringMatching(/^AUTH_SECRET: .*32/)]);
    expect(problems.join()).not.toContain("tooshort");
  });
});

describe("request and correlation ids", () => {
  it("keep a sane incoming id and replace anything else", () => {
    expect(saneId("lb-4f1c2a9e-0001")).toBe("lb-4f1c2a9e-0001");
    for (const bad of ["", "short", "has space in it", 'quote"quote"quote', "x".repeat(200), "ünïcode-id-123"]) expect(saneId(bad)).toBeUndefined();
  });

  it("use the request id as correlation id unless a trusted caller sends one", () => {
    const plain = idsFromHeaders(new Headers({ "x-request-id": "req-12345678" }));
    expect(plain).toEqual({ requestId: "req-12345678", correlationId: "req-12345678" });
    const trusted = idsFromHeaders(new Headers({ "x-request-id": "req-12345678", "x-correlation-id": "batch-2026-11-23" }), true);
    expect(trusted).toEqual({ requestId: "req-12345678", correlationId: "batch-2026-11-23" });
  });

  it("attack: an untrusted caller's correlation id is kept as its claim, never as ours", () => {
    const claimed = idsFromHeaders(new Headers({ "x-request-id": "req-12345678", "x-correlation-id": "victim-transfer-42" }));
    expect(claimed).toEqual({ requestId: "req-12345678", correlationId: "req-12345678", claimedCorrelationId: "victim-transfer-42" });
    const garbage = idsFromHeaders(new Headers({ "x-request-id": "req-12345678", "x-correlation-id": "x".repeat(4000) }));
    expect(garbage).toEqual({ requestId: "req-12345678", correlationId: "req-12345678" });
  });
});

describe("metrics helpers", () => {
  it("compare the bearer token in full", () => {
    expect(bearerMatches("Bearer metrics-token-0123456789", "metrics-token-0123456789")).toBe(true);
    expect(bearerMatches("Bearer metrics-token-012345678", "metrics-token-0123456789")).toBe(false);
    expect(bearerMatches(null, "metrics-token-0123456789")).toBe(false);
  });

  it("call a command rejected when it recorded a refusal, replayed when answered from its key", () => {
    expect(outcomeOf({ replayed: false, events: [{ type: "MoneyDeposited" }] })).toBe("accepted");
    expect(outcomeOf({ replayed: false, events: [{ type: "WithdrawalRejected" }] })).toBe("rejected");
    expect(outcomeOf({ replayed: false, events: [{ type: "DestinationCreditRefused" }] })).toBe("rejected");
    expect(outcomeOf({ replayed: true, events: [{ type: "MoneyDeposited" }] })).toBe("replayed");
  });
});
