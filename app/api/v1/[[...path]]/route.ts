import { ApiProblem, problemResponse } from "@/lib/api/problem";

// Anything under /api/v1 that is not a route answers a problem too, not Next's HTML 404 page.
function notFound() {
  return problemResponse(new ApiProblem("NOT_FOUND", "There is no such API route; GET /api/v1/openapi.json lists them all."));
}

export const GET = notFound;
export const POST = notFound;
export const PUT = notFound;
export const PATCH = notFound;
export const DELETE = notFound;
