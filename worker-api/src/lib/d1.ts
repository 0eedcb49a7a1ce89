/** D1 allows at most 100 bound parameters per statement; leave room for the fixed ones. */
export const D1_MAX_PARAMS = 100;

/** Splits `items` into chunks small enough that `perItem` parameters each plus `fixed` stay under D1's limit. */
export function chunkForD1<T>(items: T[], perItem: number, fixed = 0): T[][] {
  const size = Math.max(1, Math.floor((D1_MAX_PARAMS - fixed) / perItem));
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

/** `?, ?, ?` for an IN list. */
export function placeholders(count: number): string {
  return Array.from({ length: count }, () => "?").join(", ");
}

/**
 * Whether a failed D1 call failed with `message` (e.g. `NOT NULL constraint failed: t.c`): D1
 * puts SQLite's message in the error or, through drizzle, in its cause.
 */
export function failedWith(err: unknown, message: string): boolean {
  const cause = err instanceof Error ? err.cause : undefined;
  return String(err).includes(message) || String(cause).includes(message);
}
