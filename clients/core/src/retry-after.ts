/**
 * Seconds to wait from a `Retry-After` header: either delay-seconds (`"30"`) or an HTTP date.
 * Returns undefined when the header is missing or unreadable, so callers fall back to backoff.
 *
 * @example
 * parseRetryAfter("5"); // 5
 * parseRetryAfter(res.headers.get("retry-after")); // undefined when absent
 */
export function parseRetryAfter(
  header: string | null | undefined,
  now: number = Date.now(),
): number | undefined {
  if (header == null) return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value);
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil((date - now) / 1000));
}
