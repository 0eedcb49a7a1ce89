import { throwIfAborted } from "./abort";

/**
 * Runs `fn` over `items` with at most `limit` calls in flight and returns the results in input
 * order. On the first failure no new calls start, the ones running are let finish (so nothing is
 * left writing in the background), and that first error is thrown.
 *
 * @example
 * const sizes = await mapWithConcurrency(paths, 4, async (p) => (await stat(p)).size);
 */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
  signal?: AbortSignal,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | null = null;
  const worker = async () => {
    while (!failure && next < items.length) {
      const index = next++;
      try {
        throwIfAborted(signal);
        results[index] = await fn(items[index] as T, index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker);
  await Promise.all(workers);
  if (failure) throw (failure as { error: unknown }).error;
  return results;
}
