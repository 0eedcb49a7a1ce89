import { bodyLimit } from "hono/body-limit";
import { createMiddleware } from "hono/factory";
import { getConfig } from "../config";
import type { AppEnv } from "../env";
import { ApiError } from "../lib/api-error";

const JSON_TYPE = /^application\/([\w.-]+\+)?json$/i;

function hasBody(req: Request): boolean {
  const length = req.headers.get("content-length");
  if (length !== null) return Number(length) > 0;
  return req.body !== null;
}

/**
 * For JSON routes (the route builder adds it to every POST/PUT/PATCH not declared `body: "raw"`): caps the body at `MAX_JSON_BYTES` while it streams in (413 before reading it
 * whole), demands a JSON content type (415), and parses once so malformed JSON is a clear 400
 * `INVALID_JSON` instead of a validation error about an empty object.
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
    const text = await c.req.text();
    try {
      const parsed: unknown = JSON.parse(text);
      c.req.bodyCache.json = Promise.resolve(parsed);
    } catch {
      throw new ApiError("INVALID_JSON", "The request body is not valid JSON.");
    }
    await next();
  });
});
