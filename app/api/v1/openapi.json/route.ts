import { openApiDocument } from "@/lib/api/openapi";
import { env } from "@/lib/env";

let document: string | undefined;

/** The OpenAPI 3.1 document, generated once per process from the operations and their zod schemas. */
export function GET() {
  const config = env();
  document ??= JSON.stringify(openApiDocument({ maxAmount: config.MAX_COMMAND_AMOUNT, maxTransferAmount: config.MAX_TRANSFER_AMOUNT }));
  return new Response(document, { headers: { "content-type": "application/json", "cache-control": "public, max-age=300" } });
}
