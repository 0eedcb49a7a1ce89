import { sleep as abortableSleep, throwIfAborted } from "./abort";
import { HiveSyncError } from "./errors";

/** How a failed call is retried. Every field has a default ({@link DEFAULT_RETRY}). */
export type RetryOptions = {
  /** Total attempts including the first; 1 turns retries off. */
  maxAttempts: number;
  /** Backoff cap of the first retry; it doubles on each further retry. */
  baseDelayMs: number;
  /** Largest backoff cap, however many retries came before. */
  maxDelayMs: number;
  /**
   * A `Retry-After` longer than this is not waited out: the error is thrown (with `retryAfter`
   * set) so a UI can tell the user when to come back instead of hanging.
   */
  maxRetryAfterMs: number;
  /** Injectable for tests; must reject with the abort reason when `signal` fires. */
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Injectable for tests; a number in [0, 1). */
  random: () => number;
};

/**
 * Four attempts, backoff caps of 250 ms, 500 ms, 1 s (… up to 8 s), `Retry-After` waited up to
 * 60 s.
 */
export const DEFAULT_RETRY: RetryOptions = {
  maxAttempts: 4,
  baseDelayMs: 250,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 60_000,
  sleep: abortableSleep,
  random: Math.random,
};

/** What {@link withRetry} tells `onRetry` before it waits. */
export type RetryEvent = { attempt: number; delayMs: number; error: unknown };

/**
 * Whether a failed attempt may be repeated: network errors, 5xx and 429 only. Any other 4xx means
 * the request itself is wrong (or not allowed) and repeating it cannot help.
 *
 * One 409 is the exception: `IDEMPOTENCY_IN_PROGRESS` says "the first attempt with this
 * Idempotency-Key is still running", which is exactly the situation a retry after a dropped
 * connection runs into, and the server asks for it to be retried (with `Retry-After`).
 *
 * @example
 * isRetryableError(new HiveSyncError({ status: 503, code: "SERVICE_UNAVAILABLE", message: "" })); // true
 * isRetryableError(new HiveSyncError({ status: 404, code: "NOT_FOUND", message: "" })); // false
 */
export function isRetryableError(error: unknown): boolean {
  if (!(error instanceof HiveSyncError)) return false;
  if (error.code === "NETWORK_ERROR") return true;
  if (error.status >= 500 || error.status === 429) return true;
  return error.status === 409 && error.code === "IDEMPOTENCY_IN_PROGRESS";
}

/**
 * Exponential backoff with full jitter: a uniformly random wait in
 * `[0, min(maxDelayMs, baseDelayMs · 2^(retry-1)))`. Full jitter spreads out clients that failed
 * together, so they do not all come back at the same instant.
 *
 * @example
 * backoffDelayMs(3, { baseDelayMs: 100, maxDelayMs: 10_000, random: () => 0.5 }); // 200
 */
export function backoffDelayMs(
  retry: number,
  options: Pick<RetryOptions, "baseDelayMs" | "maxDelayMs" | "random">,
): number {
  const cap = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(options.random() * cap);
}

/**
 * How long to wait before retry number `retry` after `error`, or null when it must not be retried
 * (not retryable, or the server's `Retry-After` is longer than `maxRetryAfterMs`). A
 * `Retry-After` replaces the backoff: the server said when it will be ready.
 *
 * @example
 * retryDelayMs(err, 1, DEFAULT_RETRY); // e.g. 5000 for a 429 with Retry-After: 5
 */
export function retryDelayMs(error: unknown, retry: number, options: RetryOptions): number | null {
  if (!isRetryableError(error)) return null;
  const retryAfter = (error as HiveSyncError).retryAfter;
  if (retryAfter !== undefined) {
    const ms = retryAfter * 1000;
    return ms > options.maxRetryAfterMs ? null : ms;
  }
  return backoffDelayMs(retry, options);
}

/**
 * Runs `operation` until it succeeds, fails with an error that is not retryable, or runs out of
 * attempts; the last error is thrown as it is. Aborting `signal` stops it at once (during a wait
 * too) with the signal's abort reason.
 *
 * @example
 * const res = await withRetry(() => send(), { maxAttempts: 5, signal });
 */
export async function withRetry<T>(
  operation: (attempt: number) => Promise<T>,
  options: Partial<RetryOptions> & { signal?: AbortSignal; onRetry?: (event: RetryEvent) => void } = {},
): Promise<T> {
  const resolved: RetryOptions = { ...DEFAULT_RETRY, ...definedOnly(options) };
  const { signal } = options;
  for (let attempt = 1; ; attempt++) {
    throwIfAborted(signal);
    try {
      return await operation(attempt);
    } catch (error) {
      throwIfAborted(signal);
      if (attempt >= resolved.maxAttempts) throw error;
      const delayMs = retryDelayMs(error, attempt, resolved);
      if (delayMs === null) throw error;
      options.onRetry?.({ attempt, delayMs, error });
      await resolved.sleep(delayMs, signal);
    }
  }
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
