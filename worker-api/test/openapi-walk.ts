// Reading the served OpenAPI document the way a client generator would: its operations, their
// parameters and bodies, what they declare they can answer, and request values built from the
// declared schemas. Used by the conformance test, which checks the server against these claims.

/** The slice of OpenAPI 3.1 this reads (a JSON Schema object is kept loose on purpose). */
export type Schema = { [key: string]: unknown };
type Parameter = {
  name: string;
  in: "path" | "query" | "header" | "cookie";
  required?: boolean;
  schema?: Schema;
};
type MediaType = { schema?: Schema };
type ResponseObject = {
  description?: string;
  headers?: Record<string, unknown>;
  content?: Record<string, MediaType>;
};
type OperationObject = {
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content?: Record<string, MediaType> };
  responses?: Record<string, ResponseObject>;
  security?: Record<string, string[]>[];
};
export type OpenApiDocument = {
  paths?: Record<string, Record<string, unknown>>;
  components?: { schemas?: Record<string, Schema> };
};

export type Operation = {
  method: string;
  path: string;
  /** `GET /api/v1/projects/{id}`, for messages. */
  label: string;
  pathParams: Parameter[];
  queryParams: Parameter[];
  headerParams: Parameter[];
  /** The request body's (first) media type and schema, if the operation takes one. */
  body: { type: string; schema: Schema | undefined; required: boolean } | null;
  /** Non-empty `security`: some credential is demanded (or at least understood). */
  secured: boolean;
  /** The names of the security schemes it accepts (`bearerAuth`, `previewToken`, …). */
  schemes: string[];
  responses: Record<string, ResponseObject>;
};

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/** Every path × method of the document, in document order. */
export function operations(doc: OpenApiDocument): Operation[] {
  return Object.entries(doc.paths ?? {}).flatMap(([path, item]) =>
    METHODS.filter((method) => item[method]).map((method) => {
      const op = item[method] as OperationObject;
      const params = op.parameters ?? [];
      const content = Object.entries(op.requestBody?.content ?? {})[0];
      return {
        method,
        path,
        label: `${method.toUpperCase()} ${path}`,
        pathParams: params.filter((p) => p.in === "path"),
        queryParams: params.filter((p) => p.in === "query"),
        headerParams: params.filter((p) => p.in === "header"),
        body: content
          ? { type: content[0], schema: content[1].schema, required: op.requestBody?.required === true }
          : null,
        secured: (op.security ?? []).length > 0,
        schemes: (op.security ?? []).flatMap((requirement) => Object.keys(requirement)),
        responses: op.responses ?? {},
      };
    }),
  );
}

/**
 * The error codes a response entry declares: the route builder lists them in its description as
 * `` `CODE`: meaning ``. An entry that names none (a hand-written "Error") declares no code at all.
 */
export function declaredCodes(response: ResponseObject | undefined): string[] {
  return [...(response?.description ?? "").matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1] as string);
}

/** `400 [VALIDATION_FAILED, INVALID_JSON] · 401 [UNAUTHENTICATED]`: what an operation declares, for messages. */
export function describeDeclared(op: Operation): string {
  return Object.entries(op.responses)
    .map(([status, response]) => {
      const codes = declaredCodes(response);
      return codes.length ? `${status} [${codes.join(", ")}]` : status;
    })
    .join(" · ");
}

/** Follows `$ref`s into `components`. */
export function deref(doc: OpenApiDocument, schema: Schema | undefined): Schema | undefined {
  let current = schema;
  for (let hops = 0; current && typeof current.$ref === "string" && hops < 20; hops++) {
    const name = current.$ref.replace(/^#\/components\/schemas\//, "");
    current = doc.components?.schemas?.[name];
  }
  return current;
}

function typeOf(schema: Schema): string | undefined {
  const type = schema.type;
  if (Array.isArray(type)) return type.find((t) => t !== "null") as string | undefined;
  return type as string | undefined;
}

function alternatives(doc: OpenApiDocument, schema: Schema): Schema[] | null {
  const list = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  if (!list) return null;
  return list.filter((option) => deref(doc, option)?.type !== "null");
}

function matches(pattern: unknown, value: string): boolean {
  if (typeof pattern !== "string") return true;
  try {
    return new RegExp(pattern, "u").test(value);
  } catch {
    return true;
  }
}

/**
 * Supplies a value for a named field or parameter when the schema alone cannot (a real project
 * id, a path in the mirror, a fresh email); `undefined` lets the schema decide.
 */
export type Hint = (name: string) => unknown;

/** A value the schema accepts (as far as JSON Schema says; refinements are the hints' job). */
export function validSample(
  doc: OpenApiDocument,
  schema: Schema | undefined,
  hint: Hint,
  name?: string,
): unknown {
  if (name !== undefined) {
    const hinted = hint(name);
    if (hinted !== undefined) return hinted;
  }
  const s = deref(doc, schema);
  if (!s) return "x";
  if ("const" in s) return s.const;
  if (Array.isArray(s.enum)) return s.enum[0];
  const options = alternatives(doc, s);
  if (options?.[0]) return validSample(doc, options[0], hint);
  if (Array.isArray(s.allOf)) {
    return Object.assign({}, ...(s.allOf as Schema[]).map((part) => validSample(doc, part, hint)));
  }
  switch (typeOf(s)) {
    case "object": {
      const properties = (s.properties ?? {}) as Record<string, Schema>;
      // The required fields; when none are (a PATCH), every field, since "nothing to change" is
      // usually refused.
      const required = (s.required ?? []) as string[];
      const keys = required.length > 0 ? required : Object.keys(properties);
      const out: Record<string, unknown> = {};
      for (const key of keys) out[key] = validSample(doc, properties[key], hint, key);
      return out;
    }
    case "array": {
      const count = Math.min(
        Math.max((s.minItems as number | undefined) ?? 1, 1),
        (s.maxItems as number) ?? 1,
      );
      return Array.from({ length: count }, () => validSample(doc, s.items as Schema, hint));
    }
    case "integer":
    case "number": {
      const min = (s.minimum as number | undefined) ?? ((s.exclusiveMinimum as number | undefined) ?? 0) + 1;
      const max = s.maximum as number | undefined;
      return max !== undefined && max < min ? max : min;
    }
    case "boolean":
      return false;
    case "null":
      return null;
    default: {
      const example = s.example ?? (s.examples as unknown[] | undefined)?.[0];
      if (typeof example === "string" && matches(s.pattern, example)) return example;
      if (s.format === "email") return `someone${crypto.randomUUID().slice(0, 8)}@example.com`;
      const length = Math.min(
        Math.max((s.minLength as number | undefined) ?? 1, 1),
        (s.maxLength as number) ?? 64,
      );
      return "a".repeat(length);
    }
  }
}

/** The same shape with every field of the wrong JSON type: what "invalid field types" sends. */
export function wrongTypes(doc: OpenApiDocument, schema: Schema | undefined): unknown {
  const s = deref(doc, schema);
  if (!s) return 12345;
  const options = alternatives(doc, s);
  if (options?.[0]) return wrongTypes(doc, options[0]);
  switch (typeOf(s)) {
    case "object": {
      const properties = (s.properties ?? {}) as Record<string, Schema>;
      const keys = Object.keys(properties);
      // An object with every known field mistyped (and, when it declares none, a stray array).
      if (keys.length === 0) return [];
      return Object.fromEntries(keys.map((key) => [key, wrongScalar(doc, properties[key])]));
    }
    default:
      return wrongScalar(doc, s);
  }
}

function wrongScalar(doc: OpenApiDocument, schema: Schema | undefined): unknown {
  const s = deref(doc, schema);
  const options = s && alternatives(doc, s);
  const type = s && (options?.[0] ? typeOf(deref(doc, options[0]) ?? {}) : typeOf(s));
  switch (type) {
    case "string":
      return 12345;
    case "integer":
    case "number":
    case "boolean":
    case "array":
    case "object":
      return "not-the-right-type";
    default:
      return { unexpected: [true] };
  }
}

/** Query values the parameter's schema refuses, with a short name for each. */
export function badQueryValues(
  doc: OpenApiDocument,
  param: { name: string; schema?: Schema },
): [string, string][] {
  if (param.name === "limit")
    return [
      ["0", "0"],
      ["abc", "abc"],
      ["101", "101"],
    ];
  if (param.name === "cursor") return [["!!!", "!!!"]];
  const s = deref(doc, param.schema) ?? {};
  const options = alternatives(doc, s);
  const schema = options?.[0] ? (deref(doc, options[0]) ?? {}) : s;
  if (Array.isArray(schema.enum)) return [["no-such-value", "no-such-value"]];
  switch (typeOf(schema)) {
    case "integer":
    case "number":
      return [
        ["abc", "abc"],
        ["-1", "-1"],
      ];
    case "boolean":
      return [["maybe", "maybe"]];
    default: {
      const out: [string, string][] = [];
      if (schema.pattern) out.push(["not an id!", "not an id!"]);
      if (typeof schema.maxLength === "number") out.push(["over-long", "x".repeat(schema.maxLength + 1)]);
      // A path parameter that must be a mirror path: one with `..` breaks the rules.
      if (/path/.test(param.name)) out.push(["../escape", "../escape"]);
      if (typeof schema.minLength === "number" && schema.minLength > 0) out.push(["empty", ""]);
      return out;
    }
  }
}
