import { eventFeed } from "@/lib/api/handlers/events";
import { operations } from "@/lib/api/operations";
import { apiRoute } from "@/lib/api/route";

export const GET = apiRoute(operations.eventFeed, eventFeed);
