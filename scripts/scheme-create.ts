// Creates a payment scheme's API client: npm run scheme:create -- --name "Instant Payments Scheme"
// Prints the scheme's bearer token once (only its hash is kept); the token may call only the
// /api/v1/scheme operations. No one signs in to the portal as a scheme.
import { parseArgs } from "node:util";

import { createScheme } from "../lib/auth/schemes";
import { connectFromEnv } from "../lib/db/connect";
import { ValidationError } from "../lib/domain/shared/errors";
import { env } from "../lib/env";

const USAGE = `usage: npm run scheme:create -- --name "<scheme name>" [--email <contact email>] [--days 1|7|30|90|365]`;

async function main() {
  let values: { name?: string; email?: string; days?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: process.argv.slice(2),
      options: { name: { type: "string" }, email: { type: "string" }, days: { type: "string" }, help: { type: "boolean", short: "h" } },
    }));
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  if (values.help || !values.name) {
    console.error(USAGE);
    return values.help ? 0 : 2;
  }
  const days = Number(values.days ?? 365);
  if (![1, 7, 30, 90, 365].includes(days)) {
    console.error(`--days must be one of 1, 7, 30, 90, 365.\n${USAGE}`);
    return 2;
  }
  env();
  const handle = await connectFromEnv();
  try {
    const { scheme, token, expiresAt } = await createScheme(handle.db, { name: values.name, email: values.email, tokenDays: days as 365 });
    console.error(`Created scheme "${scheme.name}" (${scheme.id}); its token expires ${expiresAt.toISOString()}. Shown once:`);
    console.log(token);
    return 0;
  } catch (error) {
    if (error instanceof ValidationError) {
      for (const [field, messages] of Object.entries(error.fieldErrors)) console.error(`${field}: ${messages.join(" ")}`);
      return 1;
    }
    throw error;
  } finally {
    await handle.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
