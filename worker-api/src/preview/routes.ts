import { createRoute, z } from "@hono/zod-openapi";
import { idParam, PageQuery, pageOf } from "../../../schema/api/common";
import { Sha256 } from "../../../schema/api/mirror";
import {
  PreviewSession as PreviewSessionSchema,
  PreviewStatusResponse,
  ResolvePreviewRequest,
  ResolvePreviewResponse,
  StartPreviewRequest,
  StartPreviewResponse,
} from "../../../schema/api/previews";
import { r2Keys } from "../../../schema/storage-keys";
import { getConfig } from "../config";
import { ApiError, notFound } from "../lib/api-error";
import { generateCode, hashCode, hashTypedCode } from "../lib/codes";
import { randomToken, sha256Hex } from "../lib/crypto";
import { newId } from "../lib/ids";
import { describeError, log } from "../lib/log";
import { decodeCursor, toPage } from "../lib/pagination";
import { requireAuth } from "../middleware/auth";
import { idempotent } from "../middleware/idempotency";
import { notify } from "../notifications/notify";
import { bearerAuth, createRouter, errorResponses, json } from "../openapi";
import { loadOwnedProject } from "../projects/project-store";
import { enqueue } from "../queues/enqueue";
import { clientIp, enforceRateLimit, failures } from "../rate-limit/limits";
import {
  assertCanRead,
  assertNotRevoked,
  assertReadable,
  assertReady,
  identifyPreviewCaller,
  PREVIEW_TOKEN_PREFIX,
  previewCaller,
  previewStub,
} from "./access";
import { codeLinks } from "./links";
import { manifestHashes } from "./manifest-cache";
import { isTerminal, type PreviewState, statusView } from "./preview-session";

const tags = ["Previews"];
const SessionParams = z.object({ id: idParam("pvs") });
const previewAuth: Record<string, string[]>[] = [{ bearerAuth: [] }, { previewToken: [] }];

/** The full record: the live status plus what the session is of and who opened it. */
function sessionView(state: PreviewState) {
  const { session_id, ...live } = statusView(state);
  return {
    id: session_id,
    project_id: state.project_id,
    platform: state.platform,
    revision: state.revision,
    ...live,
    opened: state.opened.map(({ device_id, platform, at }) => ({ device_id, platform, at })),
    created_at: state.created_at,
  };
}

const start = createRoute({
  method: "post",
  path: "/preview/start",
  tags,
  security: bearerAuth,
  summary: "Start a preview of a mirrored revision (the latest by default)",
  middleware: [requireAuth, idempotent] as const,
  request: { body: { ...json(StartPreviewRequest), required: true } },
  responses: {
    202: { description: "Started; poll status_url", ...json(StartPreviewResponse) },
    ...errorResponses(400, 401, 404, 409, 429),
  },
});

const status = createRoute({
  method: "get",
  path: "/preview/sessions/{id}/status",
  tags,
  security: previewAuth,
  summary: 'Live status; `If-None-Match: "<version>"` gives 304, `?wait=` long-polls up to 25 s',
  request: {
    params: SessionParams,
    query: z.object({ wait: z.coerce.number().min(0).max(25).optional() }),
  },
  responses: {
    200: { description: "The status; etag is the version", ...json(PreviewStatusResponse) },
    304: { description: "Unchanged" },
    ...errorResponses(401, 403, 404),
  },
});

const read = createRoute({
  method: "get",
  path: "/preview/sessions/{id}",
  tags,
  security: bearerAuth,
  summary: "The full session record, including who opened it",
  middleware: [requireAuth] as const,
  request: { params: SessionParams },
  responses: {
    200: { description: "The session", ...json(PreviewSessionSchema) },
    ...errorResponses(401, 404),
  },
});

const list = createRoute({
  method: "get",
  path: "/preview/sessions",
  tags,
  security: bearerAuth,
  summary: "Your preview sessions, newest first (a linked phone opens them without a code)",
  middleware: [requireAuth] as const,
  request: {
    query: PageQuery.extend({
      project_id: idParam("prj").optional(),
      active: z.enum(["true", "false"]).optional(),
    }),
  },
  responses: {
    200: { description: "A page", ...json(pageOf(PreviewSessionSchema)) },
    ...errorResponses(400, 401),
  },
});

const cancel = createRoute({
  method: "post",
  path: "/preview/sessions/{id}/cancel",
  tags,
  security: bearerAuth,
  summary: "Cancel a preview",
  middleware: [requireAuth] as const,
  request: { params: SessionParams },
  responses: {
    200: { description: "The session", ...json(PreviewSessionSchema) },
    ...errorResponses(401, 404, 410),
  },
});

const resolve = createRoute({
  method: "post",
  path: "/preview/resolve",
  tags,
  summary: "Trade a preview code for a token scoped to that one session (no sign-in needed)",
  request: { body: { ...json(ResolvePreviewRequest), required: true } },
  responses: {
    200: { description: "The session and its scoped token", ...json(ResolvePreviewResponse) },
    ...errorResponses(400, 404, 410, 429),
  },
});

const bundle = createRoute({
  method: "get",
  path: "/preview/bundle/{id}",
  tags,
  security: previewAuth,
  summary: "The bundle manifest of a ready session",
  request: { params: SessionParams },
  responses: {
    200: { description: "The manifest (etag = its SHA-256)" },
    ...errorResponses(401, 403, 404, 409, 410),
  },
});

const bundleFile = createRoute({
  method: "get",
  path: "/preview/bundle/{id}/files/{sha256}",
  tags,
  security: previewAuth,
  summary: "One file of the bundle by its hash; honours Range so a broken download resumes",
  request: { params: SessionParams.extend({ sha256: Sha256 }) },
  responses: {
    200: { description: "The bytes, immutable" },
    206: { description: "The requested range" },
    ...errorResponses(401, 403, 404, 409, 410),
  },
});

/**
 * One `Range: bytes=…` range (`a-b`, `a-`, `-n`) resolved against `size`; null for no or an
 * unusable header (the whole file is sent, as RFC 9110 allows), "unsatisfiable" for a range
 * wholly past the end (416).
 */
export function byteRange(
  header: string | undefined,
  size: number,
): { offset: number; length: number } | null | "unsatisfiable" {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header?.trim() ?? "");
  if (!match || (match[1] === "" && match[2] === "")) return null;
  if (match[1] === "") {
    const suffix = Math.min(Number(match[2]), size);
    return suffix === 0 ? "unsatisfiable" : { offset: size - suffix, length: suffix };
  }
  const start = Number(match[1]);
  const end = match[2] === "" ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (start >= size) return "unsatisfiable";
  if (end < start) return null;
  return { offset: start, length: end - start + 1 };
}

/** `"12"` or `W/"12"` → 12. */
function versionFromEtag(header: string | undefined): number | null {
  const match = /^(?:W\/)?"(\d+)"$/.exec(header?.trim() ?? "");
  return match ? Number(match[1]) : null;
}

export function previewRoutes() {
  const app = createRouter();
  app.openAPIRegistry.registerComponent("securitySchemes", "previewToken", {
    type: "http",
    scheme: "bearer",
    description: "A preview-scoped token from POST /preview/resolve (`pvt_…`).",
  });

  app.openapi(start, async (c) => {
    const { userId } = c.get("auth");
    const body = c.req.valid("json");
    const config = getConfig(c.env);
    const project = await loadOwnedProject(c.env, userId, body.project_id);
    if (project.mirror_revision === 0) {
      throw new ApiError("MIRROR_EMPTY", "Push the project's files before starting a preview.");
    }
    const revision = body.revision ?? project.mirror_revision;
    if (revision > project.mirror_revision) throw notFound("Revision");
    await enforceRateLimit(c.env, `preview-starts:user:${userId}`, config.previewStarts);

    const sessionId = newId("previewSession");
    const now = new Date();
    const expiresAt = new Date(now.getTime() + config.previewTtlSeconds * 1000).toISOString();
    let code = generateCode();
    // The cap is checked inside the INSERT itself: D1 runs one statement at a time, so concurrent
    // starts cannot both squeeze under it.
    const insert = async () =>
      c.env.DB.prepare(
        `INSERT INTO preview_sessions (id, project_id, user_id, platform, revision, status, code_hash, created_at, updated_at, expires_at)
         SELECT ?1, ?2, ?3, ?4, ?5, 'pending', ?6, ?7, ?7, ?8
         WHERE (SELECT count(*) FROM preview_sessions WHERE project_id = ?2
                AND status IN ('pending', 'building', 'ready') AND expires_at > ?7) < ?9`,
      )
        .bind(
          sessionId,
          project.id,
          userId,
          body.platform,
          revision,
          await hashCode(code.letters),
          now.toISOString(),
          expiresAt,
          config.maxActivePreviews,
        )
        .run();
    let inserted: D1Result;
    try {
      inserted = await insert();
    } catch (err) {
      if (!String(err).includes("preview_sessions.code_hash")) throw err;
      code = generateCode(); // a code collision (1 in 2.5e10): draw again
      inserted = await insert();
    }
    if (inserted.meta.changes === 0) {
      throw new ApiError(
        "TOO_MANY_PREVIEWS",
        `A project may have at most ${config.maxActivePreviews} live previews; cancel one first.`,
        {
          limit: config.maxActivePreviews,
        },
        { "retry-after": "60" },
      );
    }

    const stub = previewStub(c.env, sessionId);
    try {
      await stub.init({
        session_id: sessionId,
        project_id: project.id,
        project_name: project.name,
        owner_id: userId,
        platform: body.platform,
        revision,
        created_at: now.toISOString(),
        expires_at: expiresAt,
      });
    } catch (err) {
      await c.env.DB.prepare("DELETE FROM preview_sessions WHERE id = ?").bind(sessionId).run();
      throw err;
    }
    try {
      await enqueue(c.env, {
        kind: "preview.build",
        session_id: sessionId,
        project_id: project.id,
        revision,
      });
    } catch (err) {
      log("error", "preview build not queued", {
        request_id: c.get("requestId"),
        session_id: sessionId,
        ...describeError(err),
      });
      await stub.report({
        status: "failed",
        error: { code: "queue_unavailable", message: "The build could not be queued." },
      });
    }
    await notify(c.env, {
      userId,
      type: "preview_started",
      projectId: project.id,
      payload: { session_id: sessionId, project_name: project.name, platform: body.platform, revision },
      eventKey: `preview:${sessionId}:started`,
    });
    const statusUrl = `${new URL(c.req.url).origin}/api/v1/preview/sessions/${sessionId}/status`;
    return c.json(
      {
        session_id: sessionId,
        status: "pending" as const,
        code: code.display,
        ...codeLinks(c, "p", code.display),
        expires_at: expiresAt,
        status_url: statusUrl,
      },
      202,
    );
  });

  app.openapi(status, async (c) => {
    const { id } = c.req.valid("param");
    const caller = await previewCaller(c, id);
    const since = versionFromEtag(c.req.header("if-none-match"));
    // One Durable Object call decides access and answers (or waits), while the revocation check
    // runs beside it; no D1 on this path.
    const [{ outcome, status: view }] = await Promise.all([
      previewStub(c.env, id).poll(caller, since, (c.req.valid("query").wait ?? 0) * 1000),
      assertNotRevoked(c.env, caller),
    ]);
    assertReadable(outcome);
    if (!view) throw notFound("Preview session");
    const headers = { etag: `"${view.version}"`, "cache-control": "private, no-cache" };
    if (since === view.version) return c.body(null, 304, headers);
    return c.json(view, 200, headers);
  });

  app.openapi(read, async (c) => {
    const state = await previewStub(c.env, c.req.valid("param").id).get();
    if (!state || state.owner_id !== c.get("auth").userId) throw notFound("Preview session");
    return c.json(sessionView(state), 200);
  });

  app.openapi(list, async (c) => {
    const { userId } = c.get("auth");
    const { project_id, active, limit, cursor } = c.req.valid("query");
    const after = decodeCursor(cursor);
    const { results } = await c.env.DB.prepare(
      `SELECT id FROM preview_sessions WHERE user_id = ?1 AND (?2 IS NULL OR project_id = ?2)
         AND (?3 = 0 OR (status IN ('pending', 'building', 'ready') AND expires_at > ?4))
         AND (?5 IS NULL OR id < ?5)
       ORDER BY id DESC LIMIT ?6`,
    )
      .bind(
        userId,
        project_id ?? null,
        active === "true" ? 1 : 0,
        new Date().toISOString(),
        after ?? null,
        limit + 1,
      )
      .all<{ id: string }>();
    const states = await Promise.all(results.map((row) => previewStub(c.env, row.id).get()));
    const page = toPage(
      results.map((row, i) => ({ id: row.id, state: states[i] })),
      limit,
      (r) => r.id,
      (r) => r.state,
    );
    return c.json(
      {
        items: page.items
          .filter((s): s is PreviewState => !!s && (active !== "true" || !isTerminal(s.status)))
          .map(sessionView),
        next_cursor: page.next_cursor,
      },
      200,
    );
  });

  app.openapi(cancel, async (c) => {
    const stub = previewStub(c.env, c.req.valid("param").id);
    const state = await stub.get();
    if (!state || state.owner_id !== c.get("auth").userId) throw notFound("Preview session");
    const { state: after } = await stub.report({ status: "cancelled" });
    // Already failed or expired: say so (410) rather than pretend the cancel happened.
    if (after?.status !== "cancelled") assertReady(after ?? state);
    return c.json(sessionView(after ?? state), 200);
  });

  app.openapi(resolve, async (c) => {
    const config = getConfig(c.env);
    const failureKey = `codes:ip:${clientIp(c.req.raw.headers)}`;
    await failures.begin(c.env, failureKey, config.codeFailures);
    const codeHash = await hashTypedCode(c.req.valid("json").code);
    const row = codeHash
      ? await c.env.DB.prepare(
          `SELECT s.id, s.status, s.platform, s.expires_at, p.name AS project_name FROM preview_sessions s
           JOIN projects p ON p.id = s.project_id WHERE s.code_hash = ?`,
        )
          .bind(codeHash)
          .first<{
            id: string;
            status: string;
            platform: "ios" | "android" | "web";
            expires_at: string;
            project_name: string;
          }>()
      : null;
    if (!row) throw new ApiError("NOT_FOUND", "No preview has this code. Check the letters and try again.");
    await failures.forgive(c.env, failureKey);
    const stub = previewStub(c.env, row.id);
    const state = await stub.get();
    if (!state) throw notFound("Preview session");
    if (state.status === "expired" || Date.now() >= new Date(state.expires_at).getTime()) {
      throw new ApiError("PREVIEW_EXPIRED", "This preview has expired; start a new one.");
    }
    if (state.status === "cancelled") throw new ApiError("PREVIEW_CANCELLED", "This preview was cancelled.");
    if (state.status === "failed")
      throw new ApiError("PREVIEW_FAILED", "This preview failed to build.", { error: state.error ?? null });
    const token = `${PREVIEW_TOKEN_PREFIX}${state.session_id}.${randomToken(32)}`;
    await stub.addToken(await sha256Hex(token));
    return c.json(
      {
        session_id: state.session_id,
        access_token: token,
        token_type: "Bearer" as const,
        expires_at: state.expires_at,
        status: state.status,
        platform: state.platform,
        project: { name: row.project_name },
      },
      200,
    );
  });

  app.openapi(bundle, async (c) => {
    const { id } = c.req.valid("param");
    const caller = await identifyPreviewCaller(c, id);
    const stub = previewStub(c.env, id);
    const state = assertCanRead(await stub.get(), caller);
    assertReady(state);
    const object = await c.env.BLOBS.get(r2Keys.bundle(state.project_id, state.session_id));
    if (!object) throw new ApiError("PREVIEW_EXPIRED", "This preview's bundle is gone.");
    if (caller.kind === "token") {
      c.executionCtx.waitUntil(
        stub.recordOpened(`token:${caller.tokenHash.slice(0, 16)}`, null, state.platform),
      );
    } else {
      // Only a linked device "opens" a preview; the owner's desktop reading its own bundle does not.
      const device = await c.env.DB.prepare(
        "SELECT id, platform FROM devices WHERE auth_session_id = ? AND revoked_at IS NULL",
      )
        .bind(caller.authSessionId)
        .first<{ id: string; platform: string }>();
      if (device)
        c.executionCtx.waitUntil(stub.recordOpened(`device:${device.id}`, device.id, device.platform));
    }
    return c.body(object.body, 200, {
      "content-type": "application/json",
      etag: `"${state.bundle?.manifest_sha256 ?? object.etag}"`,
      "cache-control": "private, no-cache",
    });
  });

  app.openapi(bundleFile, async (c) => {
    const { id, sha256 } = c.req.valid("param");
    const caller = await identifyPreviewCaller(c, id);
    const state = assertCanRead(await previewStub(c.env, id).get(), caller);
    assertReady(state);
    const size = (await manifestHashes(c.env, state))?.get(sha256);
    if (size === undefined) throw notFound("File in this bundle");
    const headers: Record<string, string> = {
      "content-type": "application/octet-stream",
      etag: `"${sha256}"`,
      "cache-control": "private, max-age=31536000, immutable",
      "accept-ranges": "bytes",
    };
    const range = byteRange(c.req.header("range"), size);
    if (range === "unsatisfiable") {
      throw new ApiError(
        "RANGE_NOT_SATISFIABLE",
        `The file has ${size} bytes.`,
        { size },
        { "content-range": `bytes */${size}` },
      );
    }
    const object = await c.env.BLOBS.get(r2Keys.blob(state.project_id, sha256), range ? { range } : {});
    if (!object) throw notFound("File in this bundle");
    if (range) {
      headers["content-range"] = `bytes ${range.offset}-${range.offset + range.length - 1}/${size}`;
      headers["content-length"] = String(range.length);
      return c.body(object.body, 206, headers);
    }
    headers["content-length"] = String(object.size);
    return c.body(object.body, 200, headers);
  });

  return app;
}
