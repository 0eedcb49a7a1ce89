import { sleep as abortableSleep } from "./abort";
import { MAX_STATUS_WAIT_SECONDS, type PreviewsApi } from "./api/previews";
import { TERMINAL_PREVIEW_STATUSES } from "./schemas";
import type { RequestAuth } from "./transport";
import type { PreviewStatus, PreviewStatusResponse } from "./types";

/**
 * Whether a preview status is final: `failed`, `cancelled` or `expired`.
 *
 * @example
 * if (isTerminalPreviewStatus(status.status)) stopSpinner();
 */
export function isTerminalPreviewStatus(status: PreviewStatus): boolean {
  return (TERMINAL_PREVIEW_STATUSES as readonly string[]).includes(status);
}

/** How {@link watchPreviewStatus} watches. */
export type WatchPreviewStatusOptions = {
  /** Called with every new status (the first one included). */
  onChange?: (status: PreviewStatusResponse) => void;
  signal?: AbortSignal;
  /** `"ready"` (default): stop at ready or a terminal state; `"terminal"`: only at a terminal state. */
  until?: "ready" | "terminal";
  /** Long-poll length per request (≤ 25 s). */
  waitSeconds?: number;
  /** Whose token reads the status (a preview-scoped `{bearer}` on a phone). */
  auth?: RequestAuth;
  /** Floor between two unchanged polls, in case a server answers 304 without waiting. */
  minIntervalMs?: number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
};

/**
 * Follows a preview's status with long-polls (`?wait=` + `If-None-Match`) and resolves with the
 * status that ended the watch: `ready` or a terminal state (or only terminal, with
 * `until: "terminal"`). It does not throw for `failed`/`expired`: the caller decides.
 *
 * @example
 * const final = await watchPreviewStatus(client, sessionId, {
 *   onChange: (s) => console.log(s.status, s.stage, Math.round(s.progress * 100) + "%"),
 *   signal,
 * });
 */
export async function watchPreviewStatus(
  client: { previews: PreviewsApi },
  sessionId: string,
  options: WatchPreviewStatusOptions = {},
): Promise<PreviewStatusResponse> {
  const until = options.until ?? "ready";
  const sleep = options.sleep ?? abortableSleep;
  const minInterval = options.minIntervalMs ?? 1_000;
  const waitSeconds = Math.min(MAX_STATUS_WAIT_SECONDS, options.waitSeconds ?? MAX_STATUS_WAIT_SECONDS);
  const finished = (s: PreviewStatusResponse) =>
    isTerminalPreviewStatus(s.status) || (until === "ready" && s.status === "ready");
  let current: PreviewStatusResponse | undefined;
  for (;;) {
    const started = Date.now();
    const poll = await client.previews.pollStatus(sessionId, {
      sinceVersion: current?.version,
      waitSeconds,
      signal: options.signal,
      auth: options.auth,
    });
    if (poll.changed) {
      current = poll.status;
      options.onChange?.(current);
      if (finished(current)) return current;
    } else {
      const elapsed = Date.now() - started;
      if (elapsed < minInterval) await sleep(minInterval - elapsed, options.signal);
    }
  }
}
