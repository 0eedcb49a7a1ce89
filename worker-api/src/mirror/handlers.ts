import { readBlob } from "../../../schema/blob-location";
import { contentTypeFor } from "../../../schema/content-types";
import { mirrorSyncs } from "../../../schema/tables";
import { getConfig } from "../config";
import { database } from "../db";
import { armSweeper } from "../dispatch/arm";
import { followOutboxUpsert, outboxInsert } from "../dispatch/outbox-store";
import { finishJob } from "../jobs/job-state-store";
import { ApiError, notFound } from "../lib/api-error";
import { describeError, log } from "../lib/log";
import { decodeCursor, encodeCursor } from "../lib/pagination";
import { ownedProject } from "../middleware/owned-project";
import type { AppRouteHandler } from "../openapi";
import { rebuildLiveSessions } from "../preview/follow";
import { loadOwnedProject } from "../projects/project-store";
import { enqueue } from "../queues/enqueue";
import { commitChanges } from "./commit";
import { findCurrentFile, listFilesAt } from "./mirror-store";
import type * as routes from "./routes";
import { latestSync, loadSync, presentMirrorSummary, presentSync } from "./sync-store";

export const commit: AppRouteHandler<typeof routes.commit> = async (c) => {
  const db = database(c.env);
  const project = await loadOwnedProject(db, c.get("auth").userId, c.req.valid("param").id);
  const syncMessage = (syncId: string, revision: number) =>
    ({ kind: "repo.sync", sync_id: syncId, project_id: project.id, revision }) as const;
  // The sweeper is armed before the write, and the change set's batch writes the sync's outbox row
  // and each live session's follow row (its rebuild of this revision): a crash from here on can
  // neither leave the sync queued nor a live preview `updating` forever (docs/reliability.md).
  const { revision, syncId } = await commitChanges(
    db,
    getConfig(c.env),
    project,
    c.req.valid("json"),
    async (sync) => {
      await armSweeper(c.env);
      return [
        outboxInsert(db, syncMessage(sync.syncId, sync.revision)),
        followOutboxUpsert(db, project.id, sync.revision),
      ];
    },
  );
  try {
    await enqueue(c.env, syncMessage(syncId, revision));
  } catch (err) {
    // The revision is committed either way; a sync that could not be queued must not look pending forever.
    log("error", "repo-sync not queued", {
      request_id: c.get("requestId"),
      sync_id: syncId,
      ...describeError(err),
    });
    await finishJob(db, mirrorSyncs, syncId, {
      status: "failed",
      error: { code: "queue_unavailable", message: "The sync job could not be queued." },
    });
  }
  // Live previews follow their project: each rebuilds at the new revision (preview/follow.ts); the
  // follow rows written above re-send a rebuild this loses.
  await rebuildLiveSessions(c.env, db, project.id, revision, c.get("requestId"));
  return c.json({ revision, sync_id: syncId }, 202);
};

export const summary: AppRouteHandler<typeof routes.summary> = async (c) => {
  const project = ownedProject(c);
  return c.json(presentMirrorSummary(project, await latestSync(database(c.env), project.id)), 200);
};

export const files: AppRouteHandler<typeof routes.files> = async (c) => {
  const db = database(c.env);
  const project = ownedProject(c);
  const { prefix, revision, limit, cursor } = c.req.valid("query");
  if (revision !== undefined && revision > project.mirrorRevision) throw notFound("Revision");
  const rows = await listFilesAt(db, project.id, {
    revision,
    prefix,
    after: decodeCursor(cursor),
    limit: limit + 1,
  });
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return c.json(
    {
      revision: revision ?? project.mirrorRevision,
      items: page,
      next_cursor: rows.length > limit && last ? encodeCursor(last.path) : null,
    },
    200,
  );
};

export const file: AppRouteHandler<typeof routes.file> = async (c) => {
  const db = database(c.env);
  const project = ownedProject(c);
  const path = c.req.valid("query").path;
  const row = await findCurrentFile(db, project.id, path);
  if (!row) throw new ApiError("FILE_NOT_FOUND", "No such file in the mirror.", { path });
  const etag = `"${row.sha256}"`;
  if (c.req.header("if-none-match") === etag) return c.body(null, 304, { etag });
  const object = await readBlob(c.env.BLOBS, { projectId: project.id, ...row });
  if (!object) throw new ApiError("FILE_NOT_FOUND", "The file's content is missing from storage.", { path });
  return c.body(object.body, 200, {
    "content-type": contentTypeFor(path),
    "content-length": String(row.size),
    etag,
    "cache-control": "private, no-cache",
  });
};

export const sync: AppRouteHandler<typeof routes.sync> = async (c) => {
  const { sync_id } = c.req.valid("param");
  const project = ownedProject(c);
  return c.json(presentSync(await loadSync(database(c.env), project.id, sync_id)), 200);
};
