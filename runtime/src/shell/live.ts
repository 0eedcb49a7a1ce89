// The shell's live client (docs/previews.md §6): follows the session over its WebSocket (the
// preview token in the `bearer.<token>` subprotocol, never in a URL), falls back to long-polling
// the status, fetches each new revision's manifest and hands it to the app's frame.
import type { LiveState } from "../bar";
import type { AppliedResult } from "../frame-messages";
import type { BuildError, Manifest } from "../types";

/** The session's status as the live channel and the status route send it (the fields used here). */
interface Status {
  status: string;
  stage?: string;
  revision?: number;
  build_error?: UpdateError | null;
}

/** A newer revision that did not build. */
interface UpdateError extends Partial<BuildError> {
  revision: number;
  errors?: BuildError[];
}

/** What the tests and the bench read (`window.__hsLive`): the revision on screen and how it got there. */
export interface LiveRecord {
  revision: number;
  state: LiveState;
  updates: number;
  socket: boolean;
  status?: string;
  last?: AppliedResult;
  /** Errors the app threw, as its frame reported them (the first few). */
  errors: { message: string; where?: string }[];
  /** The app has drawn its first screen. */
  rendered: boolean;
}

export interface LiveOptions {
  session: string;
  token: string;
  /** Runs a manifest in the app's frame. */
  apply: (manifest: Manifest) => Promise<AppliedResult>;
  /** Shows a newer revision's build errors over the app (which keeps running). */
  showBuildErrors: (errors: BuildError[]) => void;
  /** The revision on screen moved on: a shown build error is stale. */
  onApplied: (manifest: Manifest, result: AppliedResult) => void;
  /** A download failed: the manifest, say. */
  onLoadError: (error: unknown) => void;
  setState: (state: LiveState) => void;
}

const SESSION_ENDED = 4000;

/** Starts following the session; returns the record the page exposes as `window.__hsLive`. */
export function followSession(options: LiveOptions, early: Promise<Manifest> | null): LiveRecord {
  const { session, token } = options;
  const auth = { authorization: `Bearer ${token}` };
  const statusUrl = `/api/v1/preview/sessions/${session}/status`;
  const live: LiveRecord = {
    revision: 0,
    state: "connecting",
    updates: 0,
    socket: false,
    errors: [],
    rendered: false,
  };
  let applied = 0;
  let shownError = 0;
  let ended = false;
  let socket: WebSocket | null = null;
  let failures = 0;
  let polling = false;
  let chain: Promise<unknown> = Promise.resolve();
  let pendingManifest = early;

  const setState = (state: LiveState) => {
    if (live.state === state) return;
    live.state = state;
    options.setState(state);
  };
  // One change at a time, in the order they came: a manifest, then the error of a newer revision.
  const serial = (task: () => Promise<unknown> | undefined) => {
    chain = chain.then(task).catch((error: unknown) => options.onLoadError(error));
  };

  function showRevision(revision?: number): void {
    serial(async () => {
      if (revision !== undefined && revision <= applied) return;
      const manifest = await (pendingManifest ?? fetchManifest(session, token, revision));
      pendingManifest = null;
      if (!(typeof manifest.revision === "number" && manifest.revision > applied)) return;
      const before = applied;
      applied = manifest.revision;
      const result = await options.apply(manifest);
      // A script that did not download: try this revision again on the next status.
      if (result.failed === "load") applied = before;
      live.revision = applied;
      live.updates += 1;
      live.last = result;
      options.onApplied(manifest, result);
    });
  }

  function showBuildError(error: UpdateError | null | undefined): void {
    serial(async () => {
      if (!error || error.revision <= applied || error.revision <= shownError) return;
      shownError = error.revision;
      const errors = error.errors?.length ? error.errors : [error as BuildError];
      options.showBuildErrors(errors);
    });
  }

  function onStatus(status: Status): void {
    live.status = status.status;
    if (status.status === "ready") {
      if ((status.revision ?? 0) > applied) showRevision(status.revision);
      if (status.build_error) showBuildError(status.build_error);
      setState(status.stage === "updating" ? "updating" : "live");
    } else if (["expired", "cancelled", "failed"].includes(status.status)) {
      ended = true;
      setState("offline");
    }
  }

  function onMessage(text: string): void {
    let message: { type?: string; revision?: number; error?: UpdateError } & Status;
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    if (message.type === "status") onStatus(message);
    else if (message.type === "revision") showRevision(message.revision);
    else if (message.type === "build_error") showBuildError(message.error);
  }

  function connect(): void {
    if (ended || socket || polling) return;
    setState(failures ? "reconnecting" : "connecting");
    const url = `${location.protocol === "https:" ? "wss://" : "ws://"}${location.host}/api/v1/preview/sessions/${session}/live`;
    let ws: WebSocket;
    try {
      ws = new WebSocket(url, ["hivesync", `bearer.${token}`]);
    } catch {
      fallBack();
      return;
    }
    let opened = false;
    socket = ws;
    ws.onopen = () => {
      opened = true;
      failures = 0;
      live.socket = true;
    };
    ws.onmessage = (event) => {
      if (typeof event.data === "string" && event.data !== "pong") onMessage(event.data);
    };
    ws.onclose = (event) => {
      socket = null;
      live.socket = false;
      if (ended || event.code === SESSION_ENDED) {
        ended = true;
        return setState("offline");
      }
      failures += 1;
      // A socket that never opened, three times over: a network that does not pass WebSockets.
      if (!opened && failures >= 3) return fallBack();
      setState("reconnecting");
      setTimeout(connect, Math.min(10_000, 500 * 2 ** (failures - 1)));
    };
  }

  function fallBack(): void {
    if (polling) return;
    polling = true;
    setState("reconnecting");
    let etag: string | null = null;
    const poll = async (): Promise<void> => {
      if (ended) return;
      try {
        const headers: Record<string, string> = { ...auth };
        if (etag) headers["if-none-match"] = etag;
        const res = await fetch(`${statusUrl}?wait=25`, { headers, cache: "no-store", credentials: "omit" });
        if (res.status !== 304) {
          if (!res.ok) {
            if (res.status === 401 || res.status === 404) {
              ended = true;
              setState("offline");
            }
            throw new Error(`HTTP ${res.status}`);
          }
          etag = res.headers.get("etag");
          const status = (await res.json()) as Status;
          onStatus(status);
          if (status.status === "ready" && status.stage !== "updating") setState("live");
        }
        setTimeout(poll, 0);
      } catch {
        setTimeout(poll, 3000);
      }
    };
    void poll();
  }

  // Keep-alive (answered by the session's object without waking it), and a quick reconnect when a
  // phone comes back to the page.
  setInterval(() => {
    if (socket?.readyState === WebSocket.OPEN) socket.send("ping");
  }, 30_000);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") connect();
  });
  window.addEventListener("online", connect);

  showRevision(undefined);
  connect();
  return live;
}

/**
 * A manifest, read with the page's preview token: the session's current one, or one revision's —
 * an immutable URL the server answers without the session's live state, so a room of phones
 * fetching a new revision at once costs the session nothing, and the browser may keep it.
 */
export async function fetchManifest(session: string, token: string, revision?: number): Promise<Manifest> {
  const path = revision === undefined ? "" : `/revisions/${revision}`;
  const res = await fetch(`/api/v1/preview/bundle/${session}${path}`, {
    headers: { authorization: `Bearer ${token}` },
    cache: revision === undefined ? "no-store" : "default",
    credentials: "omit",
  });
  if (!res.ok) throw new Error(`Could not load the preview's manifest (HTTP ${res.status})`);
  return (await res.json()) as Manifest;
}
