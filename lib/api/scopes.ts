import type { TokenScope } from "../auth/api-tokens";
import type { Operation } from "./operations";

export type NeededScope = NonNullable<Operation["scope"]>;

/** What an operation needs of the token: its own `scope`, else read for GET and write for anything else. */
export const neededScope = (operation: Pick<Operation, "scope" | "method">): NeededScope =>
  operation.scope ?? (operation.method === "GET" ? "read" : "write");

/** Which token scopes may call an operation that needs `needed`. */
export const SCOPES_ALLOWED: Record<NeededScope, readonly TokenScope[]> = {
  any: ["full", "read", "webhooks"],
  read: ["full", "read", "webhooks"],
  webhooks: ["full", "webhooks"],
  write: ["full"],
};

export const scopeAllows = (scope: TokenScope, operation: Pick<Operation, "scope" | "method">): boolean =>
  SCOPES_ALLOWED[neededScope(operation)].includes(scope);
