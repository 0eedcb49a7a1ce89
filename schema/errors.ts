/**
 * Every error code the API can return, with its HTTP status. This is the single code→status table
 * of the spec (§2): the server looks statuses up here and clients can switch on the codes.
 */
export const ERROR_STATUS = {
  VALIDATION_FAILED: 400,
  INVALID_JSON: 400,
  INVALID_CURSOR: 400,
  UNAUTHENTICATED: 401,
  INVALID_CREDENTIALS: 401,
  INVALID_REFRESH_TOKEN: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  FILE_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  EMAIL_TAKEN: 409,
  USERNAME_TAKEN: 409,
  REVISION_CONFLICT: 409,
  MIRROR_EMPTY: 409,
  PREVIEW_NOT_READY: 409,
  IDEMPOTENCY_IN_PROGRESS: 409,
  PREVIEW_EXPIRED: 410,
  PREVIEW_CANCELLED: 410,
  PREVIEW_FAILED: 410,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RANGE_NOT_SATISFIABLE: 416,
  HASH_MISMATCH: 422,
  BLOB_MISSING: 422,
  INVALID_PATH: 422,
  LIMIT_EXCEEDED: 422,
  IDEMPOTENCY_KEY_REUSED: 422,
  RATE_LIMITED: 429,
  TOO_MANY_ATTEMPTS: 429,
  TOO_MANY_PREVIEWS: 429,
  INTERNAL_ERROR: 500,
  MISCONFIGURED: 500,
  SERVICE_UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** The body of every error response. */
export type ErrorBody = {
  error: {
    code: ErrorCode | (string & {});
    message: string;
    details: Record<string, unknown>;
    request_id: string;
  };
};
