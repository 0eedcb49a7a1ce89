/**
 * The error to throw for an aborted signal: its own `reason` (what `fetch` throws too), or an
 * `AbortError` where the runtime predates `AbortSignal.reason` (older React Native).
 *
 * @example
 * if (signal?.aborted) throw abortError(signal);
 */
export function abortError(signal: AbortSignal): unknown {
  if (signal.reason !== undefined) return signal.reason;
  return Object.assign(new Error("The operation was aborted."), { name: "AbortError" });
}

/**
 * Throws the signal's abort error when it has fired; a no-op otherwise.
 *
 * @example
 * for (const file of files) { throwIfAborted(signal); await upload(file); }
 */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortError(signal);
}

/**
 * Waits `ms` milliseconds, or rejects with the abort error as soon as `signal` fires, so a
 * cancelled retry or poll loop stops at once instead of sleeping out its delay.
 *
 * @example
 * await sleep(1000, controller.signal);
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortError(signal));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal as AbortSignal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
