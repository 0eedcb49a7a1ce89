// An in-memory stand-in for the HiveSync API, as a `fetch` function, for the client unit tests.
// It speaks the same paths, statuses, headers and error envelope as worker-api for the routes the
// clients' sync and bundle logic use; failures are injected with `intercept`.
import { createHash } from "node:crypto";

export type FileEntry = { sha256: string; size: number };
export type Recorded = {
  method: string;
  path: string;
  search: URLSearchParams;
  headers: Headers;
  body: Uint8Array;
};
export type Intercept = (req: Recorded) => Response | undefined | Promise<Response | undefined>;

type FakeProject = { revision: number; files: Map<string, FileEntry>; blobs: Map<string, Uint8Array> };
type FakeSession = {
  projectId: string;
  status: "pending" | "building" | "ready" | "failed" | "cancelled" | "expired";
  version: number;
  manifest: Uint8Array | null;
  token: string;
  platform?: "ios" | "android" | "web";
  revision?: number;
  /** A revision committed since, that the session rebuilds for when `sessionsFollow` is on. */
  pendingRevision?: number;
  code?: string;
  createdAt?: string;
  /** A newer revision that did not build (the session keeps serving `revision`), as the server keeps it. */
  build_error?: FakeBuildError & { revision: number; code: string };
  /** Why a session ended `failed` (a first build that did not compile), as the status reports it. */
  error?: FakeBuildError & { code: string };
};
/** Reads a project's current file as text (what {@link FakeApi.buildErrorOf} is given). */
function sourceReader(project: FakeProject): (path: string) => string | undefined {
  return (path) => {
    const entry = project.files.get(path);
    const bytes = entry ? project.blobs.get(entry.sha256) : undefined;
    return bytes ? new TextDecoder().decode(bytes) : undefined;
  };
}

/** Where and why a fake build fails (what {@link FakeApi.buildErrorOf} returns). */
export type FakeBuildError = { file: string; line: number; column: number; message: string };
/** The end of a live channel the fake writes to: a test's ServerWebSocket (test-support/ws-server.ts). */
export type FakeLiveSocket = {
  send(text: string): void;
  close(code?: number, reason?: string): void;
  onMessage: ((text: string) => void) | undefined;
  onClose: (() => void) | undefined;
};
/** One WebSocket handshake the fake saw: for which session, with which token, and its answer. */
export type FakeLiveAttempt = {
  sessionId: string;
  token: string | undefined;
  protocols: string[];
  status: number;
};
/** A project's record as `POST /projects` made it (projects only touched by mirror calls have none). */
export type FakeProjectRecord = {
  id: string;
  name: string;
  description: string | null;
  framework: string;
  entry: string | null;
  created_at: string;
  updated_at: string;
};
export type FakeNotification = {
  id: string;
  type: string;
  project_id: string | null;
  payload: Record<string, string | number | boolean | null>;
  created_at: string;
  read_at: string | null;
};
export type FakeAiJob = {
  id: string;
  project_id: string;
  type: string;
  file_path: string;
  selection: { start_line: number; end_line: number } | null;
  post_as_comment: boolean;
  status: "queued" | "running" | "succeeded" | "failed";
  result?: {
    summary: string;
    sections: { title: string; line_start: number; line_end: number; text: string }[];
    provider: string;
    model: string;
  };
  error?: { code: string; message: string };
  created_at: string;
  updated_at: string;
};

export const sha256 = (data: Uint8Array | string) => createHash("sha256").update(data).digest("hex");
const bytesOf = (text: string) => new TextEncoder().encode(text);

export function errorResponse(
  status: number,
  code: string,
  details: Record<string, unknown> = {},
  headers = {},
) {
  return new Response(
    JSON.stringify({ error: { code, message: `${code} (fake)`, details, request_id: "req_fake" } }),
    { status, headers: { "content-type": "application/json", "x-request-id": "req_fake", ...headers } },
  );
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });

export class FakeApi {
  readonly requests: Recorded[] = [];
  readonly projects = new Map<string, FakeProject>();
  readonly sessions = new Map<string, FakeSession>();
  accessToken = "acc_1";
  intercept: Intercept | undefined;
  /** Page size of the mirror listing, to exercise pagination. */
  filesPageSize = 1000;
  /** The caps of one `POST /blobs/batch` (the server's MAX_BATCH_BLOBS, MAX_BATCH_BYTES). */
  maxBatchBlobs = 256;
  maxBatchBytes = 16 * 1024 * 1024;
  /** The server's MAX_FILE_BYTES (a batch's blob over it is `too_large`). */
  maxFileBytes = 10 * 1024 * 1024;
  /** Projects created with `POST /projects`, by id. */
  readonly projectRecords = new Map<string, FakeProjectRecord>();
  readonly notifications: FakeNotification[] = [];
  readonly aiJobs = new Map<string, FakeAiJob>();
  /** What a new AI job becomes when first read (`GET /ai/jobs/:id`). */
  aiOutcome: Pick<FakeAiJob, "status" | "result" | "error"> = {
    status: "succeeded",
    result: { summary: "A file.", sections: [], provider: "local", model: "static-analysis" },
  };
  /** The per-project cap of live previews (spec: MAX_ACTIVE_PREVIEWS). */
  maxActivePreviews = 10;
  /**
   * Whether live sessions follow their project: a commit makes them rebuild, which the fake
   * finishes at the session's next status poll (revision moves, version bumps).
   */
  sessionsFollow = false;
  /** How long a following session's rebuild takes after the commit (ms). */
  followDelayMs = 0;
  /**
   * The build's verdict on a project's files, read by path: a location and message fails the
   * rebuild (the session keeps its revision and reports `build_error`), undefined builds it.
   */
  buildErrorOf: ((read: (path: string) => string | undefined) => FakeBuildError | undefined) | undefined;
  /** The refresh token `POST /auth/refresh` accepts (it rotates both tokens). */
  refreshToken = "ref_1";
  /**
   * Decides a live-channel handshake before the fake does: a status refuses it (400 for a network
   * that passes no WebSocket, say), undefined lets the fake check the token.
   */
  liveGate: ((attempt: { sessionId: string; token: string | undefined }) => number | undefined) | undefined;
  readonly liveAttempts: FakeLiveAttempt[] = [];
  /** Open live sockets by session. */
  readonly liveSockets = new Map<string, Set<FakeLiveSocket>>();
  readonly #changeWaiters = new Set<() => void>();
  #refreshes = 0;
  /** The origin links and QR codes point at (the server's PUBLIC_URL). */
  publicUrl = "http://api.test";
  #nextSync = 1;
  #nextId = 1;

  project(id: string): FakeProject {
    let project = this.projects.get(id);
    if (!project) {
      project = { revision: 0, files: new Map(), blobs: new Map() };
      this.projects.set(id, project);
    }
    return project;
  }

  /** Simulates another client committing `changes` directly. */
  commitElsewhere(projectId: string, put: Record<string, string>): void {
    const project = this.project(projectId);
    for (const [path, content] of Object.entries(put)) {
      const bytes = bytesOf(content);
      const hash = sha256(bytes);
      project.blobs.set(hash, bytes);
      project.files.set(path, { sha256: hash, size: bytes.length });
    }
    project.revision++;
    this.follow(projectId);
  }

  /** With {@link sessionsFollow}: the project's live sessions rebuild for its new revision. */
  private follow(projectId: string): void {
    if (!this.sessionsFollow) return;
    const revision = this.project(projectId).revision;
    for (const [id, session] of this.sessions)
      if (session.projectId === projectId && !isTerminal(session.status)) {
        session.pendingRevision = revision;
        setTimeout(() => this.rebuildPending(id), this.followDelayMs);
      }
  }

  /** A ready preview session of `files` (path → content), with a `pvt_` token. */
  readySession(sessionId: string, files: Record<string, string | Uint8Array>): FakeSession {
    const projectId = `prj_${sessionId}`;
    const project = this.project(projectId);
    const entries = Object.entries(files)
      .map(([path, content]) => {
        const bytes = typeof content === "string" ? bytesOf(content) : content;
        const hash = sha256(bytes);
        project.blobs.set(hash, bytes);
        return { path, sha256: hash, size: bytes.length, content_type: "application/octet-stream" };
      })
      .sort((a, b) => (a.path < b.path ? -1 : 1));
    const manifest = {
      session_id: sessionId,
      project: { id: projectId, name: "hello", framework: "expo", entry: null },
      platform: "ios",
      revision: 1,
      created_at: "2026-01-01T00:00:00.000Z",
      files: entries,
      total_bytes: entries.reduce((s, e) => s + e.size, 0),
    };
    const session: FakeSession = {
      projectId,
      status: "ready",
      version: (this.sessions.get(sessionId)?.version ?? 0) + 1,
      manifest: bytesOf(JSON.stringify(manifest)),
      token: `pvt_${sessionId}.${"s".repeat(32)}`,
    };
    this.sessions.set(sessionId, session);
    return session;
  }

  countRequests(method: string, pattern: RegExp): number {
    return this.requests.filter((r) => r.method === method && pattern.test(r.path)).length;
  }

  readonly fetch = async (input: string, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(input);
    const body = init.body === undefined || init.body === null ? new Uint8Array() : await readBody(init.body);
    const req: Recorded = {
      method: init.method ?? "GET",
      path: url.pathname.replace(/^\/api\/v1/, ""),
      search: url.searchParams,
      headers: new Headers(init.headers),
      body,
    };
    this.requests.push(req);
    const intercepted = await this.intercept?.(req);
    if (intercepted) return intercepted;
    const held = req.method === "GET" ? /^\/preview\/sessions\/([^/]+)\/status$/.exec(req.path) : null;
    const wait = Number(req.search.get("wait") ?? 0);
    if (held && wait > 0)
      await this.holdPoll(held[1] as string, req.headers.get("if-none-match"), wait * 1000, init.signal);
    return this.route(req);
  };

  /**
   * A long-poll as the server holds it: until the session's version moves away from `etag` (or a
   * rebuild is due), `ms` pass, or the caller gives up.
   */
  private async holdPoll(
    sessionId: string,
    etag: string | null,
    ms: number,
    signal: AbortSignal | null | undefined,
  ): Promise<void> {
    const deadline = Date.now() + ms;
    for (;;) {
      const session = this.sessions.get(sessionId);
      if (!session || etag !== `"${session.version}"` || session.pendingRevision !== undefined) return;
      if (Date.now() >= deadline || signal?.aborted) return;
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          signal?.removeEventListener("abort", done);
          this.#changeWaiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, deadline - Date.now());
        signal?.addEventListener("abort", done, { once: true });
        this.#changeWaiters.add(done);
      });
    }
  }

  /**
   * Finishes a following session's rebuild for the revision committed since: the new revision is
   * served, or (when {@link buildErrorOf} finds an error) recorded as `build_error` while the last
   * good one keeps running. Pushes the change to live sockets and held polls, as the server does.
   */
  rebuildPending(sessionId: string): void {
    const session = this.sessions.get(sessionId);
    if (!session || session.pendingRevision === undefined || isTerminal(session.status)) return;
    const before = this.snapshot(session);
    const revision = session.pendingRevision;
    session.pendingRevision = undefined;
    const project = this.project(session.projectId);
    const failure = this.buildErrorOf?.(sourceReader(project));
    if (failure) {
      session.build_error = { revision, code: "build_error", ...failure };
    } else {
      const rebuilt = this.readySessionOf(sessionId, session.projectId, project);
      session.manifest = rebuilt.manifest;
      session.revision = revision;
      if (session.build_error && session.build_error.revision <= revision) session.build_error = undefined;
    }
    session.version++;
    this.sessions.set(sessionId, session);
    this.changed(sessionId, before);
  }

  /**
   * The live channel's handshake (`GET /preview/sessions/:id/live`, token from the `bearer.<token>`
   * subprotocol): 200 to accept, else the status the server would answer.
   */
  liveHandshake(sessionId: string, token: string | undefined, protocols: string[] = []): number {
    const gate = this.liveGate?.({ sessionId, token });
    const session = this.sessions.get(sessionId);
    const status =
      gate ??
      (!session
        ? 404
        : token === this.accessToken || token === session.token
          ? 200
          : token?.startsWith("pvt_")
            ? 403
            : 401);
    this.liveAttempts.push({ sessionId, token, protocols, status });
    return status;
  }

  /** Serves an accepted live socket: the status first, then every change; `ping` → `pong`. */
  attachLive(sessionId: string, ws: FakeLiveSocket): void {
    const session = this.sessions.get(sessionId);
    if (!session) {
      ws.close(1011, "no session");
      return;
    }
    const sockets = this.liveSockets.get(sessionId) ?? new Set<FakeLiveSocket>();
    this.liveSockets.set(sessionId, sockets);
    sockets.add(ws);
    const status = () => JSON.stringify({ type: "status", ...this.statusOf(sessionId, session) });
    ws.onMessage = (text) => ws.send(text === "ping" ? "pong" : status());
    ws.onClose = () => sockets.delete(ws);
    ws.send(status());
    if (isTerminal(session.status)) ws.close(4000, "preview ended");
  }

  private snapshot(session: FakeSession) {
    return {
      status: session.status,
      revision: session.revision ?? 1,
      version: session.version,
      buildError: session.build_error?.revision,
    };
  }

  /** What the server's `liveMessages` sends after a change, to every live socket of the session. */
  private changed(sessionId: string, before: ReturnType<FakeApi["snapshot"]>): void {
    const session = this.sessions.get(sessionId);
    if (!session) return;
    const frames: unknown[] = [];
    if (session.status === "ready" && (before.status !== "ready" || before.revision !== session.revision))
      frames.push({
        type: "revision",
        revision: session.revision ?? 1,
        manifest_url: `/api/v1/preview/bundle/${sessionId}`,
      });
    if (session.build_error && session.build_error.revision !== before.buildError)
      frames.push({
        type: "build_error",
        revision: session.build_error.revision,
        error: session.build_error,
      });
    if (before.version !== session.version)
      frames.push({ type: "status", ...this.statusOf(sessionId, session) });
    for (const ws of this.liveSockets.get(sessionId) ?? []) {
      for (const frame of frames) ws.send(JSON.stringify(frame));
      if (isTerminal(session.status)) ws.close(4000, "preview ended");
    }
    for (const wake of [...this.#changeWaiters]) wake();
  }

  route(req: Recorded): Response {
    const auth = req.headers.get("authorization");
    const m = (re: RegExp) => re.exec(req.path);
    let match: RegExpExecArray | null;

    match = req.method === "GET" ? m(/^\/preview\/bundle\/([^/]+)$/) : null;
    if (match) {
      const session = this.sessions.get(match[1] as string);
      if (!session || !this.canRead(session, auth)) return errorResponse(404, "NOT_FOUND");
      if (!session.manifest) return errorResponse(409, "PREVIEW_NOT_READY");
      return new Response(session.manifest.slice(), {
        headers: { "content-type": "application/json", etag: `"${sha256(session.manifest)}"` },
      });
    }
    match = req.method === "GET" ? m(/^\/preview\/bundle\/([^/]+)\/files\/([0-9a-f]{64})$/) : null;
    if (match) {
      const session = this.sessions.get(match[1] as string);
      if (!session || !this.canRead(session, auth)) return errorResponse(404, "NOT_FOUND");
      const bytes = this.project(session.projectId).blobs.get(match[2] as string);
      if (!bytes) return errorResponse(404, "NOT_FOUND");
      const range = /^bytes=(\d+)-$/.exec(req.headers.get("range") ?? "");
      if (range) {
        const start = Number(range[1]);
        if (start >= bytes.length) return errorResponse(416, "HTTP_416");
        return new Response(bytes.slice(start), {
          status: 206,
          headers: {
            "content-range": `bytes ${start}-${bytes.length - 1}/${bytes.length}`,
            "content-length": String(bytes.length - start),
            etag: `"${match[2]}"`,
          },
        });
      }
      return new Response(bytes.slice(), { headers: { "content-length": String(bytes.length) } });
    }
    match = req.method === "GET" ? m(/^\/preview\/sessions\/([^/]+)\/status$/) : null;
    if (match) {
      const session = this.sessions.get(match[1] as string);
      if (session && auth && !this.canRead(session, auth) && !auth.startsWith("Bearer pvt_"))
        return errorResponse(401, "UNAUTHENTICATED"); // an expired access token, as the server says
      if (!session || !this.canRead(session, auth)) return errorResponse(404, "NOT_FOUND");
      this.rebuildPending(match[1] as string);
      const etag = `"${session.version}"`;
      if (req.headers.get("if-none-match") === etag)
        return new Response(null, { status: 304, headers: { etag } });
      return json(200, this.statusOf(match[1] as string, session), { etag });
    }

    if (req.method === "POST" && req.path === "/preview/resolve") {
      const { code } = JSON.parse(new TextDecoder().decode(req.body)) as { code: string };
      const found = [...this.sessions.entries()].find(([, s]) => s.code === code);
      if (!found) return errorResponse(404, "NOT_FOUND");
      const [sessionId, session] = found;
      if (session.status === "expired" || session.status === "cancelled")
        return errorResponse(410, "PREVIEW_EXPIRED");
      return json(200, {
        session_id: sessionId,
        access_token: session.token,
        token_type: "Bearer",
        expires_at: "2099-01-01T00:00:00.000Z",
        status: session.status,
        platform: session.platform ?? "ios",
        project: { name: this.projectRecords.get(session.projectId)?.name ?? "hello" },
      });
    }

    if (req.method === "POST" && req.path === "/auth/refresh") {
      const { refresh_token } = JSON.parse(new TextDecoder().decode(req.body)) as { refresh_token: string };
      if (refresh_token !== this.refreshToken) return errorResponse(401, "INVALID_REFRESH_TOKEN");
      this.#refreshes++;
      this.accessToken = `acc_r${this.#refreshes}`;
      this.refreshToken = `ref_r${this.#refreshes}`;
      return json(200, {
        tokens: {
          access_token: this.accessToken,
          refresh_token: this.refreshToken,
          token_type: "Bearer",
          expires_in: 900,
        },
      });
    }

    if (auth !== `Bearer ${this.accessToken}`) return errorResponse(401, "UNAUTHENTICATED");

    const more = this.routeMore(req);
    if (more) return more;

    match = req.method === "POST" ? m(/^\/projects\/([^/]+)\/blobs\/missing$/) : null;
    if (match) {
      const project = this.project(match[1] as string);
      const { hashes } = JSON.parse(new TextDecoder().decode(req.body)) as { hashes: string[] };
      if (hashes.length > 1000) return errorResponse(400, "VALIDATION_FAILED");
      return json(200, { missing: hashes.filter((h) => !project.blobs.has(h)) });
    }
    match = req.method === "PUT" ? m(/^\/projects\/([^/]+)\/blobs\/([0-9a-f]{64})$/) : null;
    if (match) {
      const project = this.project(match[1] as string);
      const hash = match[2] as string;
      if (project.blobs.has(hash))
        return json(200, { sha256: hash, size: project.blobs.get(hash)?.length, created: false });
      if (sha256(req.body) !== hash) return errorResponse(422, "HASH_MISMATCH");
      project.blobs.set(hash, req.body);
      return json(201, { sha256: hash, size: req.body.length, created: true });
    }
    match = req.method === "POST" ? m(/^\/projects\/([^/]+)\/blobs\/batch$/) : null;
    if (match) return this.batch(this.project(match[1] as string), req.body);
    match = req.method === "GET" ? m(/^\/projects\/([^/]+)\/mirror$/) : null;
    if (match) {
      const project = this.project(match[1] as string);
      const files = [...project.files.values()];
      return json(200, {
        revision: project.revision,
        branch: null,
        commit: null,
        file_count: files.length,
        total_bytes: files.reduce((sum, f) => sum + f.size, 0),
        updated_at: null,
        last_sync: null,
      });
    }
    match = req.method === "GET" ? m(/^\/projects\/([^/]+)\/mirror\/files$/) : null;
    if (match) {
      const project = this.project(match[1] as string);
      const sorted = [...project.files.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
      const after = req.search.get("cursor");
      const rest = after ? sorted.filter(([path]) => path > after) : sorted;
      const limit = Math.min(Number(req.search.get("limit") ?? 500), this.filesPageSize);
      const page = rest.slice(0, limit);
      return json(200, {
        revision: Number(req.search.get("revision") ?? project.revision),
        items: page.map(([path, f]) => ({ path, sha256: f.sha256, size: f.size })),
        next_cursor: rest.length > limit ? (page.at(-1)?.[0] ?? null) : null,
      });
    }
    match = req.method === "POST" ? m(/^\/projects\/([^/]+)\/mirror\/changes$/) : null;
    if (match) {
      const project = this.project(match[1] as string);
      const body = JSON.parse(new TextDecoder().decode(req.body)) as {
        base_revision: number;
        changes: Array<
          { op: "put"; path: string; sha256: string; size: number } | { op: "delete"; path: string }
        >;
      };
      if (body.base_revision !== project.revision) {
        return errorResponse(409, "REVISION_CONFLICT", { current_revision: project.revision });
      }
      const missing = body.changes.flatMap((c) =>
        c.op === "put" && !project.blobs.has(c.sha256) ? [c.sha256] : [],
      );
      if (missing.length) return errorResponse(422, "BLOB_MISSING", { hashes: missing });
      for (const change of body.changes) {
        if (change.op === "delete") project.files.delete(change.path);
        else project.files.set(change.path, { sha256: change.sha256, size: change.size });
      }
      project.revision++;
      this.follow(match[1] as string);
      return json(202, {
        revision: project.revision,
        sync_id: `syn_${String(this.#nextSync++).padStart(16, "0")}`,
      });
    }
    return errorResponse(404, "NOT_FOUND");
  }

  /**
   * `POST /projects/:id/blobs/batch` as worker-api answers it: a JSON header line, then the
   * declared blobs back to back; 413 with the limits over the caps; one result per declared blob.
   * A body cut short stores every blob received whole (the rest `not_received`).
   */
  private batch(project: FakeProject, body: Uint8Array): Response {
    const newline = body.indexOf(10);
    if (newline < 0) return errorResponse(400, "VALIDATION_FAILED");
    let blobs: { sha256: string; size: number }[];
    try {
      blobs = JSON.parse(new TextDecoder().decode(body.subarray(0, newline))).blobs;
    } catch {
      return errorResponse(400, "INVALID_JSON");
    }
    const limits = {
      max_blobs: this.maxBatchBlobs,
      max_bytes: this.maxBatchBytes,
      max_file_bytes: this.maxFileBytes,
    };
    const bytes = blobs.reduce((sum, b) => sum + b.size, 0);
    if (blobs.length > this.maxBatchBlobs)
      return errorResponse(413, "PAYLOAD_TOO_LARGE", { ...limits, blobs: blobs.length });
    if (bytes > this.maxBatchBytes) return errorResponse(413, "PAYLOAD_TOO_LARGE", { ...limits, bytes });
    let offset = newline + 1;
    const results = blobs.map(({ sha256: hash, size }) => {
      if (offset + size > body.length) {
        offset = body.length;
        return { sha256: hash, size, status: "not_received" };
      }
      const data = body.slice(offset, offset + size);
      offset += size;
      if (size > this.maxFileBytes) return { sha256: hash, size, status: "too_large" };
      const actual = sha256(data);
      if (actual !== hash) return { sha256: hash, size, status: "hash_mismatch", actual };
      if (project.blobs.has(hash)) return { sha256: hash, size, status: "already_stored" };
      project.blobs.set(hash, data);
      return { sha256: hash, size, status: "stored" };
    });
    return json(200, { results });
  }

  /** Projects, preview sessions, notifications, AI jobs and `me`: what the CLI drives. */
  private routeMore(req: Recorded): Response | undefined {
    const m = (method: string, re: RegExp) => (req.method === method ? re.exec(req.path) : null);
    const body = () => JSON.parse(new TextDecoder().decode(req.body) || "{}") as Record<string, unknown>;
    const now = new Date().toISOString();
    let match: RegExpExecArray | null;
    if (m("GET", /^\/auth\/me$/))
      return json(200, {
        user: { id: "usr_fake0000000000000", email: "ana@example.com", username: "ana", created_at: now },
      });
    if (m("POST", /^\/projects$/)) {
      const input = body();
      const id = `prj_${String(this.#nextId++).padStart(16, "0")}`;
      const record: FakeProjectRecord = {
        id,
        name: String(input.name),
        description: null,
        framework: String(input.framework ?? "other"),
        entry: (input.entry as string | undefined) ?? null,
        created_at: now,
        updated_at: now,
      };
      this.projectRecords.set(id, record);
      this.project(id);
      return json(201, this.projectOf(record));
    }
    if (m("GET", /^\/projects$/))
      return json(200, {
        items: [...this.projectRecords.values()].map((r) => this.projectOf(r)),
        next_cursor: null,
      });
    match = m("GET", /^\/projects\/([^/]+)$/);
    if (match) {
      const record = this.projectRecords.get(match[1] as string);
      return record ? json(200, this.projectOf(record)) : errorResponse(404, "NOT_FOUND");
    }
    match = m("DELETE", /^\/projects\/([^/]+)$/);
    if (match) {
      const id = match[1] as string;
      if (!this.projectRecords.delete(id)) return errorResponse(404, "NOT_FOUND");
      this.projects.delete(id);
      for (const session of this.sessions.values())
        if (session.projectId === id && !isTerminal(session.status)) session.status = "expired";
      return new Response(null, { status: 204 });
    }
    if (m("POST", /^\/preview\/start$/)) {
      const input = body() as { project_id: string; platform: "ios" | "android" | "web" };
      const project = this.projects.get(input.project_id);
      if (!project) return errorResponse(404, "NOT_FOUND");
      if (project.revision === 0) return errorResponse(409, "MIRROR_EMPTY");
      const live = [...this.sessions.values()].filter(
        (s) => s.projectId === input.project_id && !isTerminal(s.status),
      );
      if (live.length >= this.maxActivePreviews)
        return errorResponse(
          429,
          "TOO_MANY_PREVIEWS",
          { limit: this.maxActivePreviews },
          { "retry-after": "60" },
        );
      const n = this.#nextId++;
      const sessionId = `pvs_${String(n).padStart(16, "0")}`;
      const letters = "BCDFGHJKLMNPQRSTVWXZ";
      const code = Array.from({ length: 8 }, (_, i) => letters[(n * 7 + i * 3) % letters.length])
        .join("")
        .replace(/^(.{4})/, "$1-");
      const session = this.readySessionOf(sessionId, input.project_id, project);
      Object.assign(session, { platform: input.platform, revision: project.revision, code, createdAt: now });
      // A first build that does not compile ends the session, naming the place, as the server does.
      const failure = this.buildErrorOf?.(sourceReader(project));
      if (failure) Object.assign(session, { status: "failed", error: { code: "build_error", ...failure } });
      return json(202, {
        session_id: sessionId,
        status: "pending",
        code,
        // As the server links a preview: with its key (opening the link is no code guess).
        link_url: `${this.publicUrl}/p/${code}?hs=${"k".repeat(11)}${sessionId.slice(-11).padStart(11, "k")}`,
        deep_link: `hivesync://preview?code=${code}`,
        qr_svg: "<svg/>",
        expires_at: "2099-01-01T00:00:00.000Z",
        status_url: `${this.publicUrl}/api/v1/preview/sessions/${sessionId}/status`,
      });
    }
    if (m("GET", /^\/preview\/sessions$/)) {
      const projectId = req.search.get("project_id");
      const active = req.search.get("active") === "true";
      const items = [...this.sessions.entries()]
        .filter(([, s]) => (!projectId || s.projectId === projectId) && (!active || !isTerminal(s.status)))
        .map(([id, s]) => this.recordOf(id, s))
        .reverse();
      return json(200, { items, next_cursor: null });
    }
    match = m("GET", /^\/preview\/sessions\/([^/]+)$/);
    if (match) {
      const session = this.sessions.get(match[1] as string);
      return session
        ? json(200, this.recordOf(match[1] as string, session))
        : errorResponse(404, "NOT_FOUND");
    }
    match = m("POST", /^\/preview\/sessions\/([^/]+)\/cancel$/);
    if (match) {
      const session = this.sessions.get(match[1] as string);
      if (!session) return errorResponse(404, "NOT_FOUND");
      if (!isTerminal(session.status)) {
        const before = this.snapshot(session);
        session.status = "cancelled";
        session.version++;
        this.changed(match[1] as string, before);
      }
      return json(200, this.recordOf(match[1] as string, session));
    }
    if (m("GET", /^\/notifications$/)) {
      const unread = req.search.get("unread") === "true";
      const items = this.notifications.filter((n) => !unread || !n.read_at);
      return json(200, {
        items,
        next_cursor: null,
        unread_count: this.notifications.filter((n) => !n.read_at).length,
      });
    }
    if (m("POST", /^\/ai\/jobs$/)) {
      const input = body() as Partial<FakeAiJob> & { selection?: FakeAiJob["selection"] };
      const id = `job_${String(this.#nextId++).padStart(16, "0")}`;
      this.aiJobs.set(id, {
        id,
        project_id: String(input.project_id),
        type: String(input.type),
        file_path: String(input.file_path),
        selection: input.selection ?? null,
        post_as_comment: input.post_as_comment === true,
        status: "queued",
        created_at: now,
        updated_at: now,
      });
      return json(202, { job_id: id, status: "queued" });
    }
    match = m("GET", /^\/ai\/jobs\/([^/]+)$/);
    if (match) {
      const job = this.aiJobs.get(match[1] as string);
      if (!job) return errorResponse(404, "NOT_FOUND");
      if (job.status === "queued") Object.assign(job, this.aiOutcome);
      return json(200, job);
    }
    return undefined;
  }

  private projectOf(record: FakeProjectRecord) {
    return { ...record, mirror_revision: this.projects.get(record.id)?.revision ?? 0 };
  }

  /** A ready session of the project's current files (what a finished build looks like). */
  private readySessionOf(sessionId: string, projectId: string, project: FakeProject): FakeSession {
    const files = [...project.files.entries()]
      .map(([path, f]) => ({
        path,
        sha256: f.sha256,
        size: f.size,
        content_type: "application/octet-stream",
      }))
      .sort((a, b) => (a.path < b.path ? -1 : 1));
    const record = this.projectRecords.get(projectId);
    const manifest = {
      session_id: sessionId,
      project: {
        id: projectId,
        name: record?.name ?? "hello",
        framework: record?.framework ?? "expo",
        entry: record?.entry ?? null,
      },
      platform: "ios",
      revision: project.revision,
      created_at: "2026-01-01T00:00:00.000Z",
      files,
      total_bytes: files.reduce((s, e) => s + e.size, 0),
    };
    const session: FakeSession = {
      projectId,
      status: "ready",
      version: 1,
      manifest: bytesOf(JSON.stringify(manifest)),
      token: `pvt_${sessionId}.${"s".repeat(32)}`,
    };
    this.sessions.set(sessionId, session);
    return session;
  }

  private recordOf(sessionId: string, session: FakeSession) {
    const { session_id: _id, ...rest } = this.statusOf(sessionId, session);
    return {
      id: sessionId,
      project_id: session.projectId,
      platform: session.platform ?? "ios",
      ...rest,
      opened: [],
      opens: 0,
      created_at: session.createdAt ?? "2026-01-01T00:00:00.000Z",
    };
  }

  private canRead(session: FakeSession, auth: string | null): boolean {
    return auth === `Bearer ${session.token}` || auth === `Bearer ${this.accessToken}`;
  }

  private statusOf(sessionId: string, session: FakeSession) {
    return {
      session_id: sessionId,
      status: session.status,
      stage: session.status === "ready" && session.pendingRevision !== undefined ? "updating" : null,
      progress: session.status === "ready" ? 1 : 0,
      version: session.version,
      revision: session.revision ?? 1,
      building_revision: session.pendingRevision ?? null,
      ...(session.build_error ? { build_error: session.build_error } : {}),
      ...(session.error ? { error: session.error } : {}),
      ...(session.manifest
        ? {
            bundle: {
              file_count: 0,
              total_bytes: 0,
              manifest_sha256: sha256(session.manifest),
            },
          }
        : {}),
      expires_at: "2099-01-01T00:00:00.000Z",
    };
  }
}

function isTerminal(status: FakeSession["status"]): boolean {
  return status === "failed" || status === "cancelled" || status === "expired";
}

async function readBody(body: BodyInit): Promise<Uint8Array> {
  return new Uint8Array(await new Response(body).arrayBuffer());
}
