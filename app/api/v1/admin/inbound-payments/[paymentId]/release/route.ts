import { releaseInboundPayment } from "@/lib/api/handlers/inbound-payments";
import { operations } from "@/lib/api/operations";
import { apiRoute } from "@/lib/api/route";

export const POST = apiRoute(operations.releaseInboundPayment, releaseInboundPayment);
