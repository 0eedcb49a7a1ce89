import { parseRetryAfter } from "./retry-after";
import { ErrorEnvelope } from "./schemas";
import type { ErrorCode } from "./types";

/** Everything a {@link HiveSyncError} is made of. */
export type HiveSyncErrorInit = {
  status: number;
  code: ErrorCode | (string & {});
  message: string;
  details?: Record<string, unknown>;
  requestId?: string | null;
  retryAfter?: number;
  cause?: unknown;
};

/**
 * The one error every HiveSync client call throws. It carries the API's error envelope
 * (`{error:{code,message,details,request_id}}`) so a UI can switch on `code` and a bug report can
 * quote `requestId`.
 *
 * `status` is the HTTP status; 0 means no HTTP answer was involved: `NETWORK_ERROR` (the request
 * never got a response) or a check made by the client itself (for example `HASH_MISMATCH` on a
 * downloaded file). `retryAfter` is in seconds, from the `Retry-After` header.
 *
 * @example
 * try {
 *   await client.projects.get("prj_missing");
 * } catch (err) {
 *   if (err instanceof HiveSyncError && err.code === "NOT_FOUND") console.log("gone");
 *   else throw err;
 * }
 */
export class HiveSyncError extends Error {
  override readonly name = "HiveSyncError";
  readonly status: number;
  readonly code: ErrorCode | (string & {});
  readonly details: Record<string, unknown>;
  readonly requestId: string | null;
  readonly retryAfter?: number;

  constructor(init: HiveSyncErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.status = init.status;
    this.code = init.code;
    this.details = init.details ?? {};
    this.requestId = init.requestId ?? null;
    if (init.retryAfter !== undefined) this.retryAfter = init.retryAfter;
  }

  /**
   * Reads a non-2xx response into an error. Bodies that are not the API's envelope (a proxy's HTML
   * page, an empty 502) still give a usable error: code `HTTP_<status>` and the status text.
   *
   * @example
   * if (!res.ok) throw await HiveSyncError.fromResponse(res);
   */
  static async fromResponse(res: Response): Promise<HiveSyncError> {
    const headerRequestId = res.headers.get("x-request-id");
    const retryAfter = parseRetryAfter(res.headers.get("retry-after"));
    let text = "";
    try {
      text = await res.text();
    } catch {
      // A body that breaks off still leaves us the status line.
    }
    let envelope: ReturnType<typeof ErrorEnvelope.safeParse> | undefined;
    try {
      envelope = ErrorEnvelope.safeParse(JSON.parse(text));
    } catch {
      envelope = undefined;
    }
    if (envelope?.success) {
      const { code, message, details, request_id } = envelope.data.error;
      return new HiveSyncError({
        status: res.status,
        code,
        message,
        details,
        requestId: request_id || headerRequestId,
        retryAfter,
      });
    }
    return new HiveSyncError({
      status: res.status,
      code: `HTTP_${res.status}`,
      message: res.statusText || text.slice(0, 200) || `HTTP ${res.status}`,
      requestId: headerRequestId,
      retryAfter,
    });
  }

  /**
   * The error for a request that got no response at all (DNS, refused connection, reset).
   *
   * @example
   * try { res = await fetch(url); } catch (cause) { throw HiveSyncError.network(cause); }
   */
  static network(cause: unknown): HiveSyncError {
    const reason = cause instanceof Error ? cause.message : String(cause);
    return new HiveSyncError({
      status: 0,
      code: "NETWORK_ERROR",
      message: `Could not reach the HiveSync API: ${reason}`,
      cause,
    });
  }

  /** One line for logs and terminals: `CODE: message (request req_…)`. */
  override toString(): string {
    return `${this.code}: ${this.message}${this.requestId ? ` (request ${this.requestId})` : ""}`;
  }
}

/**
 * Whether `error` is a {@link HiveSyncError}, optionally with one of the given codes.
 *
 * @example
 * if (isHiveSyncError(err, "REVISION_CONFLICT")) await reread();
 */
export function isHiveSyncError(
  error: unknown,
  ...codes: Array<ErrorCode | (string & {})>
): error is HiveSyncError {
  return error instanceof HiveSyncError && (codes.length === 0 || codes.includes(error.code));
}
