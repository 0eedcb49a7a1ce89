import { sleep as abortableSleep } from "./abort";

/** How {@link pollUntil} paces itself. */
export type PollUntilOptions<T> = {
  signal?: AbortSignal;
  /** First wait between reads; it grows by half each time up to `maxIntervalMs`. */
  intervalMs?: number;
  maxIntervalMs?: number;
  /** Called with every value read (before `done` is checked). */
  onValue?: (value: T) => void;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
};

/**
 * Reads `read()` until `done(value)` holds, waiting a gently growing interval in between — for
 * resources without long-poll (AI jobs, repo syncs). Cancel with `signal`.
 *
 * @example
 * const job = await pollUntil(() => client.ai.get(jobId), (j) => j.status === "succeeded" || j.status === "failed");
 */
export async function pollUntil<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  options: PollUntilOptions<T> = {},
): Promise<T> {
  const sleep = options.sleep ?? abortableSleep;
  const maxInterval = options.maxIntervalMs ?? 5_000;
  let interval = options.intervalMs ?? 500;
  for (;;) {
    const value = await read();
    options.onValue?.(value);
    if (done(value)) return value;
    await sleep(interval, options.signal);
    interval = Math.min(maxInterval, Math.ceil(interval * 1.5));
  }
}
