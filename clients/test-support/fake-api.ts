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
  #nextSync = 1;

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
    return this.route(req);
  };

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
      if (!session || !this.canRead(session, auth)) return errorResponse(404, "NOT_FOUND");
      const etag = `"${session.version}"`;
      if (req.headers.get("if-none-match") === etag)
        return new Response(null, { status: 304, headers: { etag } });
      return json(200, this.statusOf(match[1] as string, session), { etag });
    }

    if (auth !== `Bearer ${this.accessToken}`) return errorResponse(401, "UNAUTHENTICATED");

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
      return json(202, {
        revision: project.revision,
        sync_id: `syn_${String(this.#nextSync++).padStart(16, "0")}`,
      });
    }
    return errorResponse(404, "NOT_FOUND");
  }

  private canRead(session: FakeSession, auth: string | null): boolean {
    return auth === `Bearer ${session.token}` || auth === `Bearer ${this.accessToken}`;
  }

  private statusOf(sessionId: string, session: FakeSession) {
    return {
      session_id: sessionId,
      status: session.status,
      stage: null,
      progress: session.status === "ready" ? 1 : 0,
      version: session.version,
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

async function readBody(body: BodyInit): Promise<Uint8Array> {
  return new Uint8Array(await new Response(body).arrayBuffer());
}
