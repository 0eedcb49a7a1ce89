import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { ERROR_STATUS, type ErrorBody, type ErrorCode } from "../../schema/errors";
import type { AppEnv } from "./env";
import { ApiError } from "./lib/api-error";
import { describeError, log } from "./lib/log";

/** Writes the spec's error envelope for an ApiError (status from the code table, plus its headers). */
export function renderError(c: Context<AppEnv>, err: ApiError): Response {
  const body: ErrorBody = {
    error: {
      code: err.code,
      message: err.message,
      details: err.details,
      request_id: c.get("requestId") ?? "",
    },
  };
  const res = c.json(body, err.status as 400);
  for (const [name, value] of Object.entries(err.headers)) res.headers.set(name, value);
  return res;
}

/** Maps errors Hono and its middleware raise (a validator's malformed JSON, a 415 gate) onto our codes. */
function fromHttpException(err: HTTPException): ApiError {
  switch (err.status) {
    case 400:
      return new ApiError("INVALID_JSON", "The request body is not valid JSON.");
    case 401:
      return new ApiError("UNAUTHENTICATED", "Sign in first.");
    case 413:
      return new ApiError("PAYLOAD_TOO_LARGE", "The request body is too large.");
    case 415:
      return new ApiError("UNSUPPORTED_MEDIA_TYPE", "Send the request body as application/json.");
    default: {
      // Any other 4xx keeps its status through the first code the table gives it.
      const code = (Object.keys(ERROR_STATUS) as ErrorCode[]).find((c) => ERROR_STATUS[c] === err.status);
      return new ApiError(code ?? "VALIDATION_FAILED", err.message || "The request cannot be served.");
    }
  }
}

/** `app.onError`: known errors become their envelope; anything else is a logged 500 with no internals. */
export function onError(err: Error, c: Context<AppEnv>): Response {
  if (err instanceof ApiError) return renderError(c, err);
  if (err instanceof HTTPException && err.status < 500) return renderError(c, fromHttpException(err));
  log("error", "unhandled error", {
    request_id: c.get("requestId"),
    route: c.req.routePath,
    ...describeError(err),
  });
  return renderError(
    c,
    new ApiError(
      "INTERNAL_ERROR",
      "Something went wrong on our side. Quote the request id if you report it.",
    ),
  );
}
