// A small payment-scheme simulator against a running Ledgerline server:
//   npm run scheme:simulate -- --token <scheme token> --to "LL12 3456 7890" --amount 2500 [--count 3]
//        [--debtor "Paula Outside"] [--reference "Rent"] [--url http://localhost:3000] [--currency EUR]
//        [--return-every 3] [--watch]
// Inbound (with --to and --amount): it sends each payment, then sends the first one again (a scheme's
// retry: it must not credit twice), and prints what the bank answered.
// Outbound (always): it reads the payments customers sent to other banks (the bank's outbox) and
// answers each: returned (reason AC04) when its reference says "return" or it is every
// --return-every'th, settled otherwise; then it settles the first settled one again (a retry: the
// money leaves once). With --watch it keeps answering every two seconds until stopped.
// The token comes from `npm run scheme:create` (or SCHEME_TOKEN).
import { randomUUID } from "node:crypto";
import { parseArgs } from "node:util";

const USAGE = `usage: npm run scheme:simulate -- --token <scheme token> [--to <account number> --amount <minor units>]
  [--count <n>] [--debtor "<name>"] [--debtor-account <iban>] [--reference "<text>"] [--currency EUR] [--url http://localhost:3000]
  [--return-every <n>] [--watch]`;

type Outbound = {
  id: string;
  status: string;
  amount: number;
  currency: string;
  creditor: { name: string; iban: string };
  reference: string | null;
  returnReason: string | null;
};

async function call(
  url: string,
  token: string,
  method: "GET" | "POST",
  path: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${url}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

/** Every payment waiting for the scheme, page by page (the outbox lists a payment until it is answered). */
async function pendingOutbound(url: string, token: string): Promise<Outbound[]> {
  const all: Outbound[] = [];
  let after: string | null = null;
  do {
    const page = await call(url, token, "GET", `/scheme/outbound-payments?limit=100${after ? `&after=${after}` : ""}`);
    if (page.status !== 200) throw new Error(`outbox: HTTP ${page.status} ${JSON.stringify(page.json)}`);
    all.push(...(page.json.payments as Outbound[]));
    after = page.json.nextAfter as string | null;
  } while (after);
  return all;
}

/** Answers what waits: returns some with a reason, settles the rest, and retries one settle. */
async function answerOutbound(url: string, token: string, returnEvery: number, seen: { count: number }): Promise<void> {
  let firstSettled: Outbound | undefined;
  for (const payment of await pendingOutbound(url, token)) {
    seen.count++;
    const giveBack = /return/i.test(payment.reference ?? "") || (returnEvery > 0 && seen.count % returnEvery === 0);
    const answer = giveBack
      ? await call(url, token, "POST", `/scheme/outbound-payments/${payment.id}/return`, {
          reason: "AC04 the account at the receiving bank is closed.",
        })
      : await call(url, token, "POST", `/scheme/outbound-payments/${payment.id}/settle`, { schemeReference: `SIM-${payment.id.slice(0, 8)}` });
    const after = answer.json.payment as Outbound | undefined;
    console.log(
      after
        ? `outbound ${payment.id}: ${payment.amount} ${payment.currency} to ${payment.creditor.name} (${payment.creditor.iban}) -> ${after.status}${after.returnReason ? ` (${after.returnReason})` : ""}`
        : `outbound ${payment.id}: HTTP ${answer.status} ${JSON.stringify(answer.json)}`,
    );
    if (!giveBack && after?.status === "settled") firstSettled ??= payment;
  }
  if (firstSettled) {
    // What a scheme does when it did not hear the answer: settle again. Nothing more leaves.
    const again = await call(url, token, "POST", `/scheme/outbound-payments/${firstSettled.id}/settle`, {
      schemeReference: `SIM-${firstSettled.id.slice(0, 8)}`,
    });
    console.log(
      `outbound ${firstSettled.id}: settled again -> HTTP ${again.status} ${(again.json.payment as Outbound | undefined)?.status ?? JSON.stringify(again.json)}`,
    );
  }
}

type Payment = {
  status: string;
  id: string;
  schemePaymentId: string;
  amount: number;
  currency: string;
  returnCode: string | null;
  returnReason: string | null;
};

async function send(url: string, token: string, body: Record<string, unknown>): Promise<{ status: number; payment?: Payment; problem?: unknown }> {
  const response = await fetch(`${url}/api/v1/scheme/inbound-payments`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as { payment?: Payment };
  return response.ok ? { status: response.status, payment: json.payment } : { status: response.status, problem: json };
}

function describe(label: string, answer: Awaited<ReturnType<typeof send>>): string {
  if (!answer.payment) return `${label}: HTTP ${answer.status} ${JSON.stringify(answer.problem)}`;
  const p = answer.payment;
  const why = p.returnCode ? ` (${p.returnCode}: ${p.returnReason})` : p.status === "held" ? " (waiting in the back office: /admin/inbound)" : "";
  return `${label}: ${p.schemePaymentId} ${p.amount} ${p.currency} -> ${p.status}${why}`;
}

const parseOptions = () =>
  parseArgs({
    args: process.argv.slice(2),
    options: {
      token: { type: "string" },
      to: { type: "string" },
      amount: { type: "string" },
      count: { type: "string" },
      debtor: { type: "string" },
      "debtor-account": { type: "string" },
      reference: { type: "string" },
      currency: { type: "string" },
      url: { type: "string" },
      "return-every": { type: "string" },
      watch: { type: "boolean" },
    },
  });

async function main(): Promise<number> {
  let values: ReturnType<typeof parseOptions>["values"];
  try {
    ({ values } = parseOptions());
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  const watch = values.watch === true;
  const token = values.token ?? process.env.SCHEME_TOKEN;
  const count = Number(values.count ?? 1);
  const returnEvery = Number(values["return-every"] ?? 0);
  const inbound = values.to !== undefined || values.amount !== undefined;
  const badInbound = inbound && (!values.to || !values.amount || !/^\d+$/.test(values.amount));
  if (!token || badInbound || !Number.isInteger(count) || count < 1 || count > 100 || !Number.isInteger(returnEvery) || returnEvery < 0) {
    console.error(USAGE);
    return 2;
  }
  const url = (values.url ?? `http://localhost:${process.env.PORT ?? 3000}`).replace(/\/$/, "");
  const seen = { count: 0 };
  if (!inbound) {
    do {
      await answerOutbound(url, token, returnEvery, seen);
      if (watch) await new Promise((resolve) => setTimeout(resolve, 2_000));
    } while (watch);
    return 0;
  }
  const run = randomUUID().slice(0, 8);
  const bodies = Array.from({ length: count }, (_, index) => ({
    schemePaymentId: `SIM-${run}-${index + 1}`,
    accountNumber: values.to,
    amount: values.amount,
    currency: values.currency ?? "EUR",
    debtorName: values.debtor ?? "Paula Outside",
    debtorAccount: values["debtor-account"] ?? "FR7630006000011234567890189",
    reference: values.reference ?? `Simulated payment ${index + 1}`,
  }));
  for (const body of bodies) console.log(describe("sent", await send(url, token, body)));
  // What a scheme does when it did not hear the answer: send the same payment again.
  console.log(describe("resent", await send(url, token, bodies[0] as Record<string, unknown>)));
  await answerOutbound(url, token, returnEvery, seen);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
