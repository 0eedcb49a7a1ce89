import { getConfig } from "../config";
import { database } from "../db";
import { recordAcceptedWork } from "../dispatch/arm";
import { ApiError, notFound } from "../lib/api-error";
import { generateCode, guessOf, hashCode, hashTypedCode } from "../lib/codes";
import { newId } from "../lib/ids";
import { describeError, log } from "../lib/log";
import { decodeCursor, toPage } from "../lib/pagination";
import { isPreviewLinkKey, issueViewerToken, previewLinkKey } from "../lib/viewer-tokens";
import { notify } from "../notifications/notify";
import type { AppRouteHandler } from "../openapi";
import { loadOwnedProject } from "../projects/project-store";
import { enqueue } from "../queues/enqueue";
import { clientIp, codeGuesses, enforceRateLimit } from "../rate-limit/limits";
import { assertReadable, assertSessionLive, previewCaller } from "./access";
import { codeLinks } from "./links";
import type * as routes from "./routes";
import { assertNotEnded, effectiveStatus, isTerminal } from "./session-rules";
import type { PreviewState } from "./session-state";
import {
  deleteSession,
  findSessionByCode,
  insertSessionUnderCap,
  isCodeOfDeletedSession,
  listUserSessionIds,
  type NewPreviewSession,
} from "./session-store";
import { sessionView, viewerStatus } from "./session-view";
import { previewStub } from "./stub";

export const start: AppRouteHandler<typeof routes.start> = async (c) => {
  const { userId } = c.get("auth");
  const body = c.req.valid("json");
  const config = getConfig(c.env);
  const db = database(c.env);
  const project = await loadOwnedProject(db, userId, body.project_id);
  if (project.mirrorRevision === 0) {
    throw new ApiError("MIRROR_EMPTY", "Push the project's files before starting a preview.");
  }
  const revision = body.revision ?? project.mirrorRevision;
  if (revision > project.mirrorRevision) throw notFound("Revision");
  await enforceRateLimit(c.env, `preview-starts:user:${userId}`, config.previewStarts);

  const sessionId = newId("previewSession");
  const now = new Date();
  const expiresAt = new Date(now.getTime() + config.previewTtlSeconds * 1000).toISOString();
  const row: Omit<NewPreviewSession, "codeHash"> = {
    id: sessionId,
    projectId: project.id,
    userId,
    platform: body.platform,
    revision,
    createdAt: now.toISOString(),
    expiresAt,
  };
  const insertWith = async (code: ReturnType<typeof generateCode>) =>
    insertSessionUnderCap(db, { ...row, codeHash: await hashCode(code.letters) }, config.maxActivePreviews);
  // Crash recovery (docs/reliability.md): the sweeper is armed and the build's outbox row written
  // before the session exists; a row whose session never appears is dropped by the sweeper.
  await recordAcceptedWork(c.env, db, {
    kind: "preview.build",
    session_id: sessionId,
    project_id: project.id,
    revision,
  });
  let code = generateCode();
  let inserted = await insertWith(code);
  if (inserted === "code_taken") {
    code = generateCode(); // a code collision (1 in 2.5e10): draw again
    inserted = await insertWith(code);
    if (inserted === "code_taken") throw new Error("Two preview code collisions in a row");
  }
  if (inserted === "over_cap") {
    throw new ApiError(
      "TOO_MANY_PREVIEWS",
      `A project may have at most ${config.maxActivePreviews} live previews; cancel one first.`,
      { limit: config.maxActivePreviews },
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
      created_at: row.createdAt,
      expires_at: expiresAt,
    });
  } catch (err) {
    await deleteSession(db, sessionId);
    throw err;
  }
  try {
    await enqueue(c.env, { kind: "preview.build", session_id: sessionId, project_id: project.id, revision });
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
      ...codeLinks(c, "p", code.display, await previewLinkKey(config.jwtSecret, sessionId)),
      expires_at: expiresAt,
      status_url: statusUrl,
    },
    202,
  );
};

/** `"12"` or `W/"12"` → 12. */
function versionFromEtag(header: string | undefined): number | null {
  const match = /^(?:W\/)?"(\d+)"$/.exec(header?.trim() ?? "");
  return match ? Number(match[1]) : null;
}

export const status: AppRouteHandler<typeof routes.status> = async (c) => {
  const { id } = c.req.valid("param");
  const caller = await previewCaller(c, id);
  const since = versionFromEtag(c.req.header("if-none-match"));
  // One Durable Object call decides access and answers (or waits), while the revocation check
  // runs beside it; no D1 on this path.
  const [{ outcome, status: view }] = await Promise.all([
    previewStub(c.env, id).poll(caller, since, (c.req.valid("query").wait ?? 0) * 1000),
    assertSessionLive(c, caller),
  ]);
  assertReadable(outcome);
  if (!view) throw notFound("Preview session");
  const headers = { etag: `"${view.version}"`, "cache-control": "private, no-cache" };
  if (since === view.version) return c.body(null, 304, headers);
  return c.json(caller.kind === "viewer" ? viewerStatus(view) : view, 200, headers);
};

export const read: AppRouteHandler<typeof routes.read> = async (c) => {
  const state = await previewStub(c.env, c.req.valid("param").id).get();
  if (!state || state.owner_id !== c.get("auth").userId) throw notFound("Preview session");
  return c.json(sessionView(state), 200);
};

export const list: AppRouteHandler<typeof routes.list> = async (c) => {
  const { project_id, active, limit, cursor } = c.req.valid("query");
  const onlyLive = active === "true";
  const ids = await listUserSessionIds(database(c.env), c.get("auth").userId, {
    projectId: project_id,
    liveAt: onlyLive ? new Date().toISOString() : undefined,
    after: decodeCursor(cursor),
    limit,
  });
  const states = await Promise.all(ids.map((id) => previewStub(c.env, id).get()));
  const page = toPage(
    ids.map((id, i) => ({ id, state: states[i] })),
    limit,
    (r) => r.id,
    (r) => r.state,
  );
  return c.json(
    {
      items: page.items
        .filter((s): s is PreviewState => !!s && (!onlyLive || !isTerminal(effectiveStatus(s))))
        .map(sessionView),
      next_cursor: page.next_cursor,
    },
    200,
  );
};

export const cancel: AppRouteHandler<typeof routes.cancel> = async (c) => {
  const stub = previewStub(c.env, c.req.valid("param").id);
  const state = await stub.get();
  if (!state || state.owner_id !== c.get("auth").userId) throw notFound("Preview session");
  const { state: after } = await stub.report({ status: "cancelled" });
  // Already failed or expired: say so (410) rather than pretend the cancel happened.
  if (after?.status !== "cancelled") assertNotEnded(after ?? state);
  return c.json(sessionView(after ?? state), 200);
};

export const resolve: AppRouteHandler<typeof routes.resolve> = async (c) => {
  const config = getConfig(c.env);
  const body = c.req.valid("json");
  const failureKey = `codes:ip:${clientIp(c.req.raw.headers)}`;
  const codeHash = await hashTypedCode(body.code);
  const db = database(c.env);
  // A link's key (a QR code's link carries it) opens its preview without a guess, even from an
  // address out of guesses; without a right key it is a typed code like any other.
  const keyed = body.key && codeHash ? await findSessionByCode(db, codeHash) : undefined;
  const opensByKey = !!keyed && !!body.key && (await isPreviewLinkKey(config.jwtSecret, keyed.id, body.key));
  if (!opensByKey) await codeGuesses.assertOpen(c.env, failureKey, config.codeFailures);
  const found = opensByKey ? keyed : codeHash ? await findSessionByCode(db, codeHash) : undefined;
  if (!found) {
    // A deleted project took its sessions' rows along, but their codes were real: such a code is
    // not a wrong guess, and it answers like any ended session's.
    if (codeHash && (await isCodeOfDeletedSession(db, codeHash))) {
      throw new ApiError("PREVIEW_EXPIRED", "This preview has expired; start a new one.", {
        status: "expired",
      });
    }
    await codeGuesses.wrong(c.env, failureKey, config.codeFailures, guessOf(codeHash, body.code));
    throw new ApiError("NOT_FOUND", "No preview has this code. Check the letters and try again.");
  }
  const stub = previewStub(c.env, found.id);
  const state = await stub.get();
  if (!state) throw notFound("Preview session");
  assertNotEnded(state);
  // The whole preview's ceiling: opens a minute, whoever opens (docs/scale.md §"A room of phones").
  await enforceRateLimit(c.env, `preview-opens:${state.session_id}`, config.previewOpens);
  const { token } = await issueViewerToken(config.jwtSecret, state.session_id);
  c.executionCtx.waitUntil(stub.noteOpen({ device_id: null, platform: state.platform }));
  return c.json(
    {
      session_id: state.session_id,
      access_token: token,
      token_type: "Bearer" as const,
      expires_at: state.expires_at,
      status: state.status,
      platform: state.platform,
      project: { name: found.projectName },
    },
    200,
  );
};
