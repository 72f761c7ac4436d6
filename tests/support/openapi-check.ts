/**
 * A strict structural check of an OpenAPI 3.1 document, for want of an npm validator in the
 * dependencies (see docs/api.md): the required top-level fields, every operation's parts, path
 * parameters declared for every template, unique operation ids, and every $ref resolving inside
 * the document. Returns the problems found (none means valid as far as these rules go).
 */
type Json = Record<string, unknown>;

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);

export function checkOpenApiDocument(document: unknown): string[] {
  const problems: string[] = [];
  const fail = (where: string, message: string) => problems.push(`${where}: ${message}`);
  if (!isObject(document)) return ["document: not an object"];
  if (typeof document.openapi !== "string" || !/^3\.1\.\d+$/.test(document.openapi)) fail("openapi", "must be 3.1.x");
  const info = document.info;
  if (!isObject(info) || typeof info.title !== "string" || typeof info.version !== "string") fail("info", "needs title and version");
  if (!isObject(document.paths)) fail("paths", "must be an object");
  const allowedTop = new Set([
    "openapi",
    "info",
    "jsonSchemaDialect",
    "servers",
    "paths",
    "webhooks",
    "components",
    "security",
    "tags",
    "externalDocs",
  ]);
  for (const key of Object.keys(document)) if (!allowedTop.has(key) && !key.startsWith("x-")) fail(key, "unknown top-level field");

  const operationIds = new Set<string>();
  const securitySchemes = isObject(document.components) && isObject(document.components.securitySchemes) ? document.components.securitySchemes : {};
  for (const [path, item] of Object.entries(isObject(document.paths) ? document.paths : {})) {
    if (!path.startsWith("/")) fail(path, "paths start with /");
    if (!isObject(item)) {
      fail(path, "path item must be an object");
      continue;
    }
    const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]);
    for (const [method, operation] of Object.entries(item)) {
      const where = `${method.toUpperCase()} ${path}`;
      if (!METHODS.includes(method)) {
        if (method !== "parameters" && method !== "summary" && method !== "description" && method !== "servers")
          fail(where, "unknown path item field");
        continue;
      }
      if (!isObject(operation)) {
        fail(where, "operation must be an object");
        continue;
      }
      if (typeof operation.operationId !== "string") fail(where, "needs an operationId");
      else if (operationIds.has(operation.operationId)) fail(where, `duplicate operationId ${operation.operationId}`);
      else operationIds.add(operation.operationId);
      const parameters = Array.isArray(operation.parameters) ? operation.parameters : [];
      const seen = new Set<string>();
      for (const parameter of parameters) {
        if (!isObject(parameter) || typeof parameter.name !== "string" || !["query", "header", "path", "cookie"].includes(String(parameter.in))) {
          fail(where, "a parameter needs name and in");
          continue;
        }
        const key = `${String(parameter.in)}:${parameter.name}`;
        if (seen.has(key)) fail(where, `duplicate parameter ${key}`);
        seen.add(key);
        if (parameter.in === "path" && parameter.required !== true) fail(where, `path parameter ${parameter.name} must be required`);
        if (!isObject(parameter.schema) && !isObject(parameter.content)) fail(where, `parameter ${parameter.name} needs a schema`);
      }
      for (const name of templated) if (!seen.has(`path:${name}`)) fail(where, `path parameter {${name}} is not declared`);
      for (const key of seen) if (key.startsWith("path:") && !templated.includes(key.slice(5))) fail(where, `${key} is not in the path`);
      if (operation.requestBody !== undefined) {
        const body = operation.requestBody;
        if (!isObject(body) || !isObject(body.content) || Object.keys(body.content).length === 0) fail(where, "requestBody needs content");
      }
      if (!isObject(operation.responses) || Object.keys(operation.responses).length === 0) fail(where, "needs responses");
      else {
        for (const [status, response] of Object.entries(operation.responses)) {
          if (!/^([1-5]\d\d|[1-5]XX|default)$/.test(status)) fail(where, `bad response status ${status}`);
          if (!isObject(response) || typeof response.description !== "string") fail(`${where} ${status}`, "a response needs a description");
        }
      }
      if (operation.security !== undefined) {
        if (!Array.isArray(operation.security)) fail(where, "security must be an array");
        else
          for (const requirement of operation.security) {
            for (const scheme of Object.keys(isObject(requirement) ? requirement : {})) {
              if (!(scheme in securitySchemes)) fail(where, `unknown security scheme ${scheme}`);
            }
          }
      }
    }
  }

  const visit = (value: unknown, where: string) => {
    if (Array.isArray(value)) value.forEach((item, index) => visit(item, `${where}/${index}`));
    else if (isObject(value)) {
      if (typeof value.$ref === "string" && resolve(document, value.$ref) === undefined) fail(where, `$ref ${value.$ref} does not resolve`);
      for (const [key, inner] of Object.entries(value)) visit(inner, `${where}/${key}`);
    }
  };
  visit(document, "#");
  return problems;
}

function resolve(document: Json, ref: string): unknown {
  if (!ref.startsWith("#/")) return undefined;
  let current: unknown = document;
  for (const part of ref
    .slice(2)
    .split("/")
    .map((segment) => segment.replaceAll("~1", "/").replaceAll("~0", "~"))) {
    if (!isObject(current) || !(part in current)) return undefined;
    current = current[part];
  }
  return current;
}

/** "GET /accounts/{accountId}" for every operation in the document. */
export function operationsOf(document: Json): string[] {
  const out: string[] = [];
  for (const [path, item] of Object.entries(isObject(document.paths) ? document.paths : {})) {
    for (const method of Object.keys(isObject(item) ? item : {})) if (METHODS.includes(method)) out.push(`${method.toUpperCase()} ${path}`);
  }
  return out.sort();
}
