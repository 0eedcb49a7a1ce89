import type { z } from "zod";
import { HiveSyncError } from "./errors";

/**
 * Checks a decoded response body against the server's own schema. A mismatch means client and
 * server disagree about the API (an old client, a proxy in between), which must fail loudly with
 * `INVALID_RESPONSE` rather than let a half-understood object travel on.
 *
 * @example
 * const project = parseResponse(Project, await res.json(), res);
 */
export function parseResponse<S extends z.ZodType>(schema: S, data: unknown, res: Response): z.output<S> {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    path: issue.path.map(String).join("."),
    message: issue.message,
  }));
  throw new HiveSyncError({
    status: res.status,
    code: "INVALID_RESPONSE",
    message: `The API answered with an unexpected shape (${issues
      .slice(0, 3)
      .map((i) => `${i.path || "(root)"}: ${i.message}`)
      .join("; ")}).`,
    details: { issues },
    requestId: res.headers.get("x-request-id"),
  });
}

/**
 * Reads a JSON body and validates it with `schema`.
 *
 * @example
 * const page = await readJson(res, NotificationPage);
 */
export async function readJson<S extends z.ZodType>(res: Response, schema: S): Promise<z.output<S>> {
  const text = await res.text();
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new HiveSyncError({
      status: res.status,
      code: "INVALID_RESPONSE",
      message: "The API answered with a body that is not JSON.",
      requestId: res.headers.get("x-request-id"),
    });
  }
  return parseResponse(schema, data, res);
}
