// Creates a back-office admin: npm run admin:create -- --email ops@example.com --name "Avery Stone"
// The password is never taken from the command line (it would stay in shell history and in `ps`):
// typed without echo at a terminal, or read as the first line of stdin when piped.
import { userInfo } from "node:os";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";

import { registerUser } from "../lib/auth/users";
import { connectFromEnv } from "../lib/db/connect";
import { ValidationError } from "../lib/domain/shared/errors";
import { env } from "../lib/env";

const USAGE = `usage: npm run admin:create -- --email <email> --name "<full name>"
  The password is asked for (without echo) at a terminal, or read as the first line of stdin:
    printf '%s\\n' "$ADMIN_PASSWORD" | npm run admin:create -- --email ops@example.com --name "Avery Stone"`;

class UsageError extends Error {}

function readArguments(argv: string[]): { email: string; name: string } {
  if (argv.some((arg) => /^--?(password|pass|pw)(=|$)/i.test(arg))) {
    throw new UsageError(
      "Passwords are never taken from the command line (they would stay in your shell history). Type it when asked, or pipe it on stdin.",
    );
  }
  let values: { email?: string; name?: string; help?: boolean };
  try {
    ({ values } = parseArgs({ args: argv, options: { email: { type: "string" }, name: { type: "string" }, help: { type: "boolean", short: "h" } } }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help) throw new UsageError("");
  if (!values.email || !values.name) throw new UsageError("Both --email and --name are required.");
  return { email: values.email, name: values.name };
}

/** Reads a line at the terminal without echoing it. Ctrl-C or Ctrl-D on an empty line cancels. */
function promptHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  return new Promise((resolve, reject) => {
    let value: string[] = [];
    const finish = () => {
      stdin.off("data", onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write("\n");
    };
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === "\r" || char === "\n") {
          finish();
          resolve(value.join(""));
          return;
        }
        if (char === "\u0003" || (char === "\u0004" && value.length === 0)) {
          finish();
          reject(new UsageError("Cancelled: no admin was created."));
          return;
        }
        if (char === "\u007f" || char === "\b") value = value.slice(0, -1);
        else if (char === "\u0015")
          value = []; // Ctrl-U clears the line
        else if (char >= " ") value.push(char);
      }
    };
    process.stderr.write(prompt);
    stdin.setEncoding("utf8");
    stdin.setRawMode(true);
    stdin.resume();
    stdin.on("data", onData);
  });
}

/** The first line of a piped stdin (without its line ending). */
function readFirstLine(): Promise<string> {
  return new Promise((resolve) => {
    const lines = createInterface({ input: process.stdin, terminal: false });
    let answered = false;
    lines.once("line", (line) => {
      answered = true;
      resolve(line.replace(/\r$/, ""));
      lines.close();
    });
    lines.once("close", () => {
      if (!answered) resolve("");
    });
  });
}

async function readPassword(): Promise<string> {
  if (!process.stdin.isTTY) return readFirstLine();
  const password = await promptHidden("Password for the new admin (at least 10 characters): ");
  const again = await promptHidden("Repeat the password: ");
  if (password !== again) throw new UsageError("The passwords do not match: no admin was created.");
  return password;
}

async function main() {
  const { email, name } = readArguments(process.argv.slice(2));
  const password = await readPassword();
  if (password === "") throw new UsageError("No password given: no admin was created.");
  if (!env().DATABASE_URL) {
    console.error(`Using the embedded database in ${env().PGLITE_DATA_DIR}: stop any server using it first (one process per directory).`);
  }
  const handle = await connectFromEnv();
  try {
    const operator = `cli:${userInfo().username}`;
    const admin = await registerUser(
      handle.db,
      { email, name, password },
      { role: "admin", metadata: { now: new Date(), origin: "cli", actor: { id: operator, role: "system" } } },
    );
    console.log(`Created admin ${admin.name} <${admin.email}> (id ${admin.id}) on ${handle.target}. They can sign in and open /admin.`);
  } finally {
    await handle.close();
  }
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    if (error.message) console.error(error.message);
    console.error(USAGE);
    process.exit(2);
  }
  if (error instanceof ValidationError) {
    for (const [field, messages] of Object.entries(error.fieldErrors)) console.error(`${field}: ${messages.join(" ")}`);
    console.error("No admin was created.");
    process.exit(1);
  }
  console.error(error);
  process.exit(1);
});
