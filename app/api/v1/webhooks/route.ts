import { listWebhooks, registerWebhook } from "@/lib/api/handlers/events";
import { operations } from "@/lib/api/operations";
import { apiRoute } from "@/lib/api/route";

export const GET = apiRoute(operations.listWebhooks, listWebhooks);
export const POST = apiRoute(operations.registerWebhook, registerWebhook);
