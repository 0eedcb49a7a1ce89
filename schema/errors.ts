/**
 * Every error code the API can return, with its HTTP status and what it means. This is the single
 * code→status table of the spec (§2): the server looks statuses up here, the OpenAPI document lists
 * the codes of each declared status from it, and clients can switch on the codes.
 */
export const ERRORS = {
  VALIDATION_FAILED: {
    status: 400,
    description: "A field, parameter or header is invalid; see details.issues.",
  },
  INVALID_JSON: { status: 400, description: "The body is not valid JSON." },
  INVALID_CURSOR: { status: 400, description: "The list cursor is not one this API issued." },
  UNAUTHENTICATED: { status: 401, description: "Missing, malformed, expired or revoked credentials." },
  INVALID_CREDENTIALS: { status: 401, description: "Wrong login or password (the same answer for both)." },
  INVALID_REFRESH_TOKEN: {
    status: 401,
    description: "The refresh token is unknown, expired or already used.",
  },
  FORBIDDEN: {
    status: 403,
    description: "Allowed to see it, not to do this (an author-only edit, another preview's token).",
  },
  NOT_FOUND: { status: 404, description: "No such resource, or not yours (the two look the same)." },
  FILE_NOT_FOUND: { status: 404, description: "The file is not in the project's mirror." },
  METHOD_NOT_ALLOWED: {
    status: 405,
    description: "The path exists with other methods; see the Allow header.",
  },
  EMAIL_TAKEN: { status: 409, description: "Another account uses this email." },
  USERNAME_TAKEN: { status: 409, description: "Another account uses this username." },
  REVISION_CONFLICT: {
    status: 409,
    description: "base_revision is not the current revision; see details.current_revision.",
  },
  MIRROR_EMPTY: { status: 409, description: "The project has no mirrored revision yet." },
  PREVIEW_NOT_READY: {
    status: 409,
    description: "The preview is still pending or building; see details.status.",
  },
  IDEMPOTENCY_IN_PROGRESS: {
    status: 409,
    description: "A request with this Idempotency-Key is still running.",
  },
  PREVIEW_EXPIRED: { status: 410, description: "The preview session has expired." },
  PREVIEW_CANCELLED: { status: 410, description: "The preview session was cancelled." },
  PREVIEW_FAILED: { status: 410, description: "The preview's build failed." },
  PAYLOAD_TOO_LARGE: { status: 413, description: "The body or file is larger than the limit in details." },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, description: "The body must be sent as application/json." },
  RANGE_NOT_SATISFIABLE: { status: 416, description: "The Range starts past the end of the file." },
  HASH_MISMATCH: { status: 422, description: "The uploaded bytes do not hash to the SHA-256 in the path." },
  BLOB_MISSING: {
    status: 422,
    description: "The change set names blobs never uploaded; see details.hashes.",
  },
  INVALID_PATH: { status: 422, description: "A path breaks the mirror's path rules; see details.issues." },
  LIMIT_EXCEEDED: { status: 422, description: "The revision would exceed a project limit (files or bytes)." },
  IDEMPOTENCY_KEY_REUSED: {
    status: 422,
    description: "This Idempotency-Key was used with a different request.",
  },
  RATE_LIMITED: { status: 429, description: "Too many requests; wait Retry-After seconds." },
  TOO_MANY_ATTEMPTS: {
    status: 429,
    description: "Too many wrong codes or passwords; wait Retry-After seconds.",
  },
  TOO_MANY_PREVIEWS: { status: 429, description: "The project has as many live previews as it may." },
  INTERNAL_ERROR: { status: 500, description: "An unexpected failure on our side; quote request_id." },
  MISCONFIGURED: { status: 500, description: "The deployment is misconfigured (operators are told)." },
  SERVICE_UNAVAILABLE: { status: 503, description: "A dependency is unavailable; retry later." },
} as const satisfies Record<string, { status: number; description: string }>;

export type ErrorCode = keyof typeof ERRORS;

/** Every error code, in table order. */
export const ERROR_CODES = Object.keys(ERRORS) as [ErrorCode, ...ErrorCode[]];

/** code → HTTP status. */
export const ERROR_STATUS = Object.fromEntries(
  Object.entries(ERRORS).map(([code, { status }]) => [code, status]),
) as { [C in ErrorCode]: (typeof ERRORS)[C]["status"] };

/** The body of every error response. */
export type ErrorBody = {
  error: {
    code: ErrorCode | (string & {});
    message: string;
    details: Record<string, unknown>;
    request_id: string;
  };
};
