import "server-only";

// The DAL runs commands with the context the command layer builds from the configuration.
export { commandContext } from "../commands/context";
