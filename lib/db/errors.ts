// What a driver error says, read the same way from postgres.js and PGlite, through Drizzle's wrapping.

/** The error and the causes under it: Drizzle wraps driver errors, and the driver's fields sit on the cause. */
function* errorChain(error: unknown): Generator<Record<string, unknown>> {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === "object"; depth++) {
    yield current as Record<string, unknown>;
    current = (current as { cause?: unknown }).cause;
  }
}

export function sqlState(error: unknown): string | undefined {
  for (const { code } of errorChain(error)) if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) return code;
  return undefined;
}

/** The constraint a unique violation names, from either driver (postgres.js or PGlite), through Drizzle's wrapping. */
export function violatedConstraint(error: unknown): string | undefined {
  for (const { constraint_name: name, constraint } of errorChain(error)) {
    if (typeof name === "string") return name;
    if (typeof constraint === "string") return constraint;
  }
  return undefined;
}
