import { monthlyStatementPdf } from "@/lib/api/handlers/accounts";
import { operations } from "@/lib/api/operations";
import { apiRoute } from "@/lib/api/route";

// Thin edge: the operation (lib/api/operations.ts) says who may call it and what it accepts.
export const GET = apiRoute(operations.monthlyStatementPdf, monthlyStatementPdf);
