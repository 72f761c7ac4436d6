// Types for the server tests, which import the script the Dockerfile runs.
export function standaloneServerDir(projectDir?: string): string;
export function prepareStandalone(projectDir?: string): string;
