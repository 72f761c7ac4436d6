import { receiveInboundPayment } from "@/lib/api/handlers/inbound-payments";
import { operations } from "@/lib/api/operations";
import { apiRoute } from "@/lib/api/route";

// Thin edge: the operation (lib/api/operations.ts) says who may call it and what it accepts.
export const POST = apiRoute(operations.receiveInboundPayment, receiveInboundPayment);
