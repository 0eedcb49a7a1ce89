import { ERROR_STATUS, type ErrorCode } from "../../../schema/errors";

/** An error meant for the client: rendered by `onError` as the spec's envelope with its table status. */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(
    code: ErrorCode,
    message: string,
    details: Record<string, unknown> = {},
    headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "ApiError";
    this.code = code;
    this.details = details;
    this.headers = headers;
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

/** The one "not found" every ownership check uses, so a foreign resource looks exactly like a missing one. */
export function notFound(what: string): ApiError {
  return new ApiError("NOT_FOUND", `${what} not found`);
}
