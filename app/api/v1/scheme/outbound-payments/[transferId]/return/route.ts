import { returnOutboundPayment } from "@/lib/api/handlers/outbound-payments";
import { operations } from "@/lib/api/operations";
import { apiRoute } from "@/lib/api/route";

export const POST = apiRoute(operations.returnOutboundPayment, returnOutboundPayment);
