// A small payment-scheme simulator against a running Ledgerline server:
//   npm run scheme:simulate -- --token <scheme token> --to "LL12 3456 7890" --amount 2500 [--count 3]
//        [--debtor "Paula Outside"] [--reference "Rent"] [--url http://localhost:3000] [--currency EUR]
// It sends each payment, then sends the first one again (a scheme's retry: it must not credit twice),
// and prints what the bank answered. The token comes from `npm run scheme:create` (or SCHEME_TOKEN).
import { randomUUID } from "node:crypto";
import { parseArgs } from "node:util";

const USAGE = `usage: npm run scheme:simulate -- --token <scheme token> --to <account number> --amount <minor units>
  [--count <n>] [--debtor "<name>"] [--debtor-account <iban>] [--reference "<text>"] [--currency EUR] [--url http://localhost:3000]`;

type Payment = { status: string; id: string; schemePaymentId: string; amount: number; currency: string; returnCode: string | null; returnReason: string | null };

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

async function main(): Promise<number> {
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({
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
      },
    }) as { values: Record<string, string | undefined> });
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  const token = values.token ?? process.env.SCHEME_TOKEN;
  const count = Number(values.count ?? 1);
  if (!token || !values.to || !values.amount || !/^\d+$/.test(values.amount) || !Number.isInteger(count) || count < 1 || count > 100) {
    console.error(USAGE);
    return 2;
  }
  const url = (values.url ?? `http://localhost:${process.env.PORT ?? 3000}`).replace(/\/$/, "");
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
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
