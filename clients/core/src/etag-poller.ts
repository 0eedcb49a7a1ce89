import { sleep as abortableSleep } from "./abort";
import type { Conditional } from "./api/notifications";
import { isRetryableError } from "./retry";

/** How an {@link EtagPoller} reads and reports. */
export type EtagPollerOptions<T> = {
  /** One conditional read: send `etag` as If-None-Match, answer `{modified: false}` on 304. */
  fetch: (etag: string | null, signal: AbortSignal | undefined) => Promise<Conditional<T>>;
  /** Called with each new value (the first read always counts as new). */
  onChange: (value: T) => void;
  /** Called with every failed read. Network errors, 5xx and 429 keep the loop going; others end it. */
  onError?: (error: unknown) => void;
  /** Pause between reads (default 10 s). */
  intervalMs?: number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
};

/**
 * Polls a resource that supports `etag`/`If-None-Match`: an unchanged resource costs a 304 with
 * no body, and `onChange` only fires when something really changed.
 *
 * @example
 * const poller = new EtagPoller({
 *   fetch: (etag, signal) => client.notifications.listIfChanged({}, etag, { signal }),
 *   onChange: (page) => render(page.items),
 * });
 * const stop = poller.start();
 * // later: stop();
 */
export class EtagPoller<T> {
  /** The etag of the last value seen. */
  etag: string | null = null;
  /** The last value seen. */
  value: T | undefined;
  readonly #options: EtagPollerOptions<T>;

  constructor(options: EtagPollerOptions<T>) {
    this.#options = options;
  }

  /**
   * One conditional read. Returns the new value, or null when it is unchanged.
   *
   * @example
   * const changed = await poller.poll();
   */
  async poll(signal?: AbortSignal): Promise<T | null> {
    const result = await this.#options.fetch(this.etag, signal);
    this.etag = result.etag;
    if (!result.modified) return null;
    this.value = result.value;
    this.#options.onChange(result.value);
    return result.value;
  }

  /**
   * Polls until `signal` aborts (then it resolves) or a read fails in a way a retry cannot fix
   * (then it rejects with that error, after `onError`).
   *
   * @example
   * await poller.run(AbortSignal.timeout(60_000)).catch(() => {});
   */
  async run(signal: AbortSignal): Promise<void> {
    const sleep = this.#options.sleep ?? abortableSleep;
    const interval = this.#options.intervalMs ?? 10_000;
    while (!signal.aborted) {
      let wait = interval;
      try {
        await this.poll(signal);
      } catch (error) {
        if (signal.aborted) return;
        this.#options.onError?.(error);
        if (!isRetryableError(error)) throw error;
        const retryAfter = (error as { retryAfter?: number }).retryAfter;
        if (retryAfter !== undefined) wait = Math.max(wait, retryAfter * 1000);
      }
      try {
        await sleep(wait, signal);
      } catch {
        return;
      }
    }
  }

  /**
   * Starts {@link run} in the background; returns the function that stops it. Errors go to
   * `onError` only.
   *
   * @example
   * const stop = poller.start();
   * window.addEventListener("unload", stop);
   */
  start(): () => void {
    const controller = new AbortController();
    this.run(controller.signal).catch(() => {
      // Already reported through onError.
    });
    return () => controller.abort();
  }
}
