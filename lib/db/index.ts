import "server-only";

export { processDatabase as database } from "./process-database";
