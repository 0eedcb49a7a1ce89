import { sleep as abortableSleep, abortError, throwIfAborted } from "./abort";
import { MAX_STATUS_WAIT_SECONDS } from "./api/previews";
import type { HiveSyncClient } from "./client";
import { isTerminalPreviewStatus } from "./preview-watch";
import { isRetryableError } from "./retry";
import { PreviewStatusResponse as StatusSchema, PreviewUpdateError as UpdateErrorSchema } from "./schemas";
import type { RequestAuth } from "./transport";
import type { PreviewStatusResponse, PreviewUpdateError } from "./types";
import { seg } from "./url";

/** The subprotocol of the live channel (the server answers it; the token rides beside it). */
export const LIVE_PROTOCOL = "hivesync";

/**
 * What {@link watchPreviewEvents} yields, in the order the session reports it:
 *
 * - `status`: a new status (its `version` moved), the first one included. A terminal one
 *   (`failed`, `cancelled`, `expired`) is the last event.
 * - `revision`: the session now serves `revision` (its first build, or a swap after a commit).
 * - `build_error`: a newer revision did not build; the session keeps serving its last good one.
 *   `error` has `file`, `line`, `column`, `message` (and `frame`, `errors`).
 * - `connection`: how the events arrive — `live` (the WebSocket is open), `reconnecting` (it was
 *   lost or refused; the next try is in `retryInMs`), `long-poll` (the fallback; `reason` says why).
 */
export type PreviewLiveEvent =
  | { type: "status"; status: PreviewStatusResponse }
  | { type: "revision"; revision: number }
  | { type: "build_error"; revision: number; error: PreviewUpdateError }
  | { type: "connection"; state: "live" | "reconnecting" | "long-poll"; reason?: string; retryInMs?: number };

/** The part of a WebSocket the watcher uses (the WHATWG `WebSocket`: browsers, React Native, Node ≥ 22). */
export type LiveSocket = Pick<
  WebSocket,
  "readyState" | "onopen" | "onmessage" | "onclose" | "onerror" | "send" | "close"
>;

/** Opens a WebSocket to `url` offering `protocols`. */
export type LiveSocketFactory = (url: string, protocols: string[]) => LiveSocket;

/** How {@link watchPreviewEvents} watches. Every field has a default. */
export type WatchPreviewEventsOptions = {
  /** Stops the watch: the socket is closed and the iteration rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Whose token reads the session: the signed-in user (default, refreshed when it expires) or a `{bearer: "pvt_…"}`. */
  auth?: RequestAuth;
  /** The revision the caller already shows: `revision` and `build_error` events only for newer ones. */
  knownRevision?: number;
  /**
   * How to open a WebSocket: the runtime's `WebSocket` by default; `null` (or a runtime without
   * one, such as Node 20) long-polls only.
   */
  webSocket?: LiveSocketFactory | null;
  /** Long-poll length per request (≤ 25 s). */
  waitSeconds?: number;
  /** Floor between two unchanged long-polls, in case a server answers 304 without waiting. */
  minIntervalMs?: number;
  /** Reconnect back-off: `initial` ms doubling up to `max` ms (default 500 → 10,000), jittered. */
  reconnectMs?: { initial: number; max: number };
  /** Sockets that never open, in a row, before falling back to long-polling (default 3). */
  maxFailedOpens?: number;
  /** A socket not open after this long counts as not opening (default 10 s). */
  openTimeoutMs?: number;
  /** A `ping` this often; a socket that answered nothing by the next one is dropped and replaced (default 30 s). */
  heartbeatMs?: number;
  /** While long-polling, how often the socket is tried again (default 60 s). */
  socketRetryMs?: number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
};

/** What ended one socket: the session ended, the socket closed after opening, or it never opened. */
type SocketOutcome = { kind: "ended" } | { kind: "lost"; openMs: number } | { kind: "refused" };

type SocketSignal =
  | { kind: "open" }
  | { kind: "message"; data: unknown }
  | { kind: "close"; code: number; reason: string }
  | { kind: "timeout" }
  | { kind: "silent" };

/**
 * Follows a preview session and yields what happens to it as typed {@link PreviewLiveEvent}s:
 * every new status, each revision it starts serving, and each newer revision that failed to build
 * (with file, line, column and message). It ends after a terminal status.
 *
 * How: the session's live WebSocket (`GET /api/v1/preview/sessions/:id/live`, subprotocols
 * `hivesync, bearer.<token>`), reconnecting with back-off when it drops; a socket that does not
 * open has the status fetched over HTTP, which also renews an expired access token (the next
 * socket then carries the new one). After {@link WatchPreviewEventsOptions.maxFailedOpens} sockets
 * in a row that did not open while HTTP works (a proxy that passes no WebSocket), or in a runtime
 * without `WebSocket`, it long-polls the status (`?wait=` + `If-None-Match`) and tries the socket
 * again now and then. Events are derived from the statuses too, so none is lost or repeated across
 * reconnects and the fallback. Network failures and 5xx are waited out; other API errors (the
 * session is gone, the sign-in was revoked) are thrown.
 *
 * Leaving the loop (`break`) or aborting `signal` closes the socket.
 *
 * @example
 * for await (const event of watchPreviewEvents(client, session.session_id, { signal })) {
 *   if (event.type === "revision") console.log(`r${event.revision} ready`);
 *   if (event.type === "build_error")
 *     console.log(`r${event.revision} ${event.error.file}:${event.error.line}:${event.error.column} ${event.error.message}`);
 * }
 */
export async function* watchPreviewEvents(
  client: HiveSyncClient,
  sessionId: string,
  options: WatchPreviewEventsOptions = {},
): AsyncGenerator<PreviewLiveEvent, void, undefined> {
  const { signal } = options;
  const auth = options.auth ?? "user";
  const sleep = options.sleep ?? abortableSleep;
  const random = options.random ?? Math.random;
  const reconnect = options.reconnectMs ?? { initial: 500, max: 10_000 };
  const maxFailedOpens = options.maxFailedOpens ?? 3;
  const socketRetryMs = options.socketRetryMs ?? 60_000;
  const minInterval = options.minIntervalMs ?? 1_000;
  const waitSeconds = Math.min(MAX_STATUS_WAIT_SECONDS, options.waitSeconds ?? MAX_STATUS_WAIT_SECONDS);
  const factory = options.webSocket === undefined ? runtimeWebSocket() : options.webSocket;
  const tracker = new LiveTracker(options.knownRevision);
  const url = `${client.transport.apiRoot.replace(/^http/, "ws")}/preview/sessions/${seg(sessionId)}/live`;
  const backoff = (attempt: number) => {
    const cap = Math.min(reconnect.max, reconnect.initial * 2 ** attempt);
    return Math.round(cap * (0.5 + random() / 2));
  };
  const token = async () =>
    auth === "none" ? null : auth === "user" ? await client.transport.session.accessToken() : auth.bearer;
  const call = { signal, auth };

  let mode: "socket" | "poll" = factory ? "socket" : "poll";
  let failedOpens = 0;
  let retries = 0;
  let nextSocketTry = Number.POSITIVE_INFINITY;
  if (!factory) yield { type: "connection", state: "long-poll", reason: "no WebSocket in this runtime" };

  for (;;) {
    throwIfAborted(signal);
    if (mode === "socket" && factory) {
      const used = await token();
      const outcome: SocketOutcome = used
        ? yield* runSocket(factory, url, used, tracker, options)
        : { kind: "refused" };
      if (outcome.kind === "ended") return;
      if (outcome.kind === "lost") {
        failedOpens = 0;
        if (outcome.openMs >= 5_000) retries = 0; // it was stable: start the back-off over
        const delay = backoff(retries++);
        yield { type: "connection", state: "reconnecting", retryInMs: delay };
        await sleep(delay, signal);
        continue;
      }
      // It never opened. Over HTTP: what happened meanwhile, and a renewed token if it had expired.
      let httpWorks = false;
      try {
        const status = await client.previews.status(sessionId, call);
        httpWorks = true;
        for (const event of tracker.status(status)) yield event;
        if (isTerminalPreviewStatus(status.status)) return;
      } catch (error) {
        if (signal?.aborted || !isRetryableError(error)) throw error;
      }
      if (httpWorks && used !== null && (await token()) !== used) continue; // renewed: try it at once
      if (httpWorks) failedOpens++;
      if (failedOpens >= maxFailedOpens) {
        mode = "poll";
        nextSocketTry = Date.now() + socketRetryMs;
        yield {
          type: "connection",
          state: "long-poll",
          reason: `the live channel did not open (${failedOpens} tries)`,
        };
        continue;
      }
      const delay = backoff(retries++);
      yield { type: "connection", state: "reconnecting", retryInMs: delay };
      await sleep(delay, signal);
      continue;
    }

    if (factory && Date.now() >= nextSocketTry) {
      // Try the socket once more; one more refusal comes straight back here.
      mode = "socket";
      failedOpens = maxFailedOpens - 1;
      continue;
    }
    const untilSocket = factory ? Math.max(1, Math.ceil((nextSocketTry - Date.now()) / 1000)) : waitSeconds;
    const started = Date.now();
    try {
      const poll = await client.previews.pollStatus(sessionId, {
        ...call,
        sinceVersion: tracker.version,
        waitSeconds: Math.min(waitSeconds, untilSocket),
      });
      if (poll.changed) {
        for (const event of tracker.status(poll.status)) yield event;
        if (isTerminalPreviewStatus(poll.status.status)) return;
        continue;
      }
    } catch (error) {
      if (signal?.aborted || !isRetryableError(error)) throw error;
      await sleep(backoff(retries++), signal);
      continue;
    }
    const elapsed = Date.now() - started;
    if (elapsed < minInterval) await sleep(minInterval - elapsed, signal);
  }
}

/** One socket, from opening to its end, yielding the events of its frames. */
async function* runSocket(
  factory: LiveSocketFactory,
  url: string,
  token: string,
  tracker: LiveTracker,
  options: WatchPreviewEventsOptions,
): AsyncGenerator<PreviewLiveEvent, SocketOutcome, undefined> {
  const inbox = new Inbox<SocketSignal>();
  let ws: LiveSocket;
  try {
    ws = factory(url, [LIVE_PROTOCOL, `bearer.${token}`]);
  } catch {
    return { kind: "refused" }; // e.g. a token with characters a subprotocol may not carry
  }
  ws.onopen = () => inbox.push({ kind: "open" });
  ws.onmessage = (event) => inbox.push({ kind: "message", data: event.data });
  ws.onclose = (event) => inbox.push({ kind: "close", code: event.code, reason: event.reason });
  ws.onerror = () => {}; // a close follows
  const openTimer = setTimeout(() => inbox.push({ kind: "timeout" }), options.openTimeoutMs ?? 10_000);
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  let openedAt = 0;
  let heard = true;
  try {
    for (;;) {
      const item = await inbox.next(options.signal);
      switch (item.kind) {
        case "open": {
          clearTimeout(openTimer);
          openedAt = Date.now();
          heartbeat = setInterval(() => {
            if (!heard) inbox.push({ kind: "silent" });
            heard = false;
            try {
              ws.send("ping");
            } catch {
              inbox.push({ kind: "silent" });
            }
          }, options.heartbeatMs ?? 30_000);
          yield { type: "connection", state: "live" };
          break;
        }
        case "message": {
          heard = true;
          if (typeof item.data !== "string" || item.data === "pong") break;
          let frame: unknown;
          try {
            frame = JSON.parse(item.data);
          } catch {
            break;
          }
          const events = tracker.frame(frame);
          for (const event of events) yield event;
          const last = events.at(-1);
          if (last?.type === "status" && isTerminalPreviewStatus(last.status.status))
            return { kind: "ended" };
          break;
        }
        case "close":
          if (!openedAt) return { kind: "refused" };
          // 4000: the session ended (its last status came first, unless this socket missed it).
          return { kind: "lost", openMs: Date.now() - openedAt };
        case "timeout":
          return { kind: "refused" };
        case "silent":
          return { kind: "lost", openMs: Date.now() - openedAt };
      }
    }
  } finally {
    clearTimeout(openTimer);
    clearInterval(heartbeat);
    ws.onopen = ws.onmessage = ws.onclose = null;
    try {
      if (ws.readyState <= 1) ws.close(1000, "done");
    } catch {
      // already closing
    }
  }
}

/**
 * Turns statuses and frames into events, each once: a status only when its version moved, a
 * revision only when newer than the last one served, a build error only when newer than the last.
 */
class LiveTracker {
  version: number | undefined;
  #revision: number | undefined;
  #buildError: number;

  constructor(knownRevision: number | undefined) {
    this.#revision = knownRevision;
    this.#buildError = knownRevision ?? 0;
  }

  status(status: PreviewStatusResponse): PreviewLiveEvent[] {
    if (this.version !== undefined && status.version <= this.version) return [];
    this.version = status.version;
    const events: PreviewLiveEvent[] = [];
    if (status.status === "ready" && status.revision !== undefined)
      events.push(...this.revision(status.revision));
    if (status.build_error) events.push(...this.buildError(status.build_error.revision, status.build_error));
    events.push({ type: "status", status });
    return events;
  }

  frame(frame: unknown): PreviewLiveEvent[] {
    const { type, ...body } = (frame ?? {}) as { type?: unknown } & Record<string, unknown>;
    if (type === "status") {
      const parsed = StatusSchema.safeParse(body);
      return parsed.success ? this.status(parsed.data) : [];
    }
    if (type === "revision" && typeof body.revision === "number") return this.revision(body.revision);
    if (type === "build_error") {
      const parsed = UpdateErrorSchema.safeParse(body.error);
      return parsed.success ? this.buildError(parsed.data.revision, parsed.data) : [];
    }
    return [];
  }

  revision(revision: number): PreviewLiveEvent[] {
    if (this.#revision !== undefined && revision <= this.#revision) return [];
    this.#revision = revision;
    return [{ type: "revision", revision }];
  }

  buildError(revision: number, error: PreviewUpdateError): PreviewLiveEvent[] {
    if (revision <= this.#buildError || (this.#revision !== undefined && revision <= this.#revision))
      return [];
    this.#buildError = revision;
    return [{ type: "build_error", revision, error }];
  }
}

/** A queue one consumer awaits: socket callbacks push, the generator takes in order. */
class Inbox<T> {
  readonly #items: T[] = [];
  #wake: (() => void) | null = null;

  push(item: T): void {
    this.#items.push(item);
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }

  async next(signal?: AbortSignal): Promise<T> {
    while (this.#items.length === 0) {
      throwIfAborted(signal);
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => reject(abortError(signal as AbortSignal));
        this.#wake = () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        };
        signal?.addEventListener("abort", onAbort, { once: true });
      });
    }
    return this.#items.shift() as T;
  }
}

/** The runtime's `WebSocket` as a factory, or null where there is none (Node 20). */
function runtimeWebSocket(): LiveSocketFactory | null {
  const Ctor = (globalThis as { WebSocket?: typeof WebSocket }).WebSocket;
  return typeof Ctor === "function" ? (url, protocols) => new Ctor(url, protocols) : null;
}
