import { bodyLimit } from "hono/body-limit";
import { createMiddleware } from "hono/factory";
import { getConfig } from "../config";
import type { AppEnv } from "../env";
import { ApiError } from "../lib/api-error";

const JSON_TYPE = /^application\/([\w.-]+\+)?json$/i;

/** `fatal`: invalid UTF-8 throws instead of becoming U+FFFD. */
const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/**
 * Whether every string in a parsed JSON value (keys included) is well-formed UTF-16. Iterative:
 * JSON.parse accepts nesting far deeper than the call stack, and a stack overflow would be a 500.
 */
function wellFormed(root: unknown): boolean {
  const pending: unknown[] = [root];
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value === "string") {
      if (!value.isWellFormed()) return false;
    } else if (Array.isArray(value)) {
      for (const item of value) pending.push(item); // not push(...value): too many arguments
    } else if (value !== null && typeof value === "object") {
      for (const [key, item] of Object.entries(value)) {
        if (!key.isWellFormed()) return false;
        pending.push(item);
      }
    }
  }
  return true;
}

function hasBody(req: Request): boolean {
  const length = req.headers.get("content-length");
  if (length !== null) return Number(length) > 0;
  return req.body !== null;
}

/**
 * For JSON routes (the route builder adds it to every POST/PUT/PATCH not declared `body: "raw"`):
 * caps the body at `MAX_JSON_BYTES` while it streams in (413 before reading it whole), demands a
 * JSON content type (415), and parses once so malformed JSON — including bytes that are not UTF-8
 * and strings holding a lone surrogate — is a clear 400 `INVALID_JSON` instead of a validation
 * error about an empty object, or text stored other than it was sent.
 */
export const jsonBody = createMiddleware<AppEnv>(async (c, next) => {
  if (!hasBody(c.req.raw)) return next();
  const mediaType = (c.req.header("content-type") ?? "").split(";")[0]?.trim() ?? "";
  if (!JSON_TYPE.test(mediaType)) {
    throw new ApiError("UNSUPPORTED_MEDIA_TYPE", "Send the request body as application/json.", {
      content_type: mediaType || null,
    });
  }
  const maxSize = getConfig(c.env).maxJsonBytes;
  return bodyLimit({
    maxSize,
    onError: () => {
      throw new ApiError("PAYLOAD_TOO_LARGE", `The request body is larger than ${maxSize} bytes.`, {
        max_bytes: maxSize,
      });
    },
  })(c, async () => {
    // JSON is UTF-8 (RFC 8259 §8.1). `c.req.text()` would turn invalid bytes into U+FFFD without a
    // word, and the mangled text would be stored as if the client had sent it: decode strictly.
    let text: string;
    try {
      text = UTF8.decode(await c.req.arrayBuffer());
    } catch {
      throw new ApiError("INVALID_JSON", "The request body is not valid UTF-8.");
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new ApiError("INVALID_JSON", "The request body is not valid JSON.");
    }
    // Valid UTF-8 can still carry a lone surrogate as an escape (`"\ud800"`); no UTF-8 text (nor
    // SQLite's) can hold it, so a key or value with one is not storable text either.
    if (!wellFormed(parsed)) {
      throw new ApiError("INVALID_JSON", "The request body contains a lone UTF-16 surrogate escape.");
    }
    // Hono's body cache holds promises (its type says values): later `c.req.text()` (the idempotency
    // hash) and `c.req.json()` (validation) read these instead of the consumed stream.
    const cache = c.req.bodyCache as Record<string, Promise<unknown>>;
    cache.text = Promise.resolve(text);
    cache.json = Promise.resolve(parsed);
    await next();
  });
});
