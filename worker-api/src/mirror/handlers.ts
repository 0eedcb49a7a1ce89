import type { Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { contentTypeFor } from "../../../schema/content-types";
import { r2Keys } from "../../../schema/storage-keys";
import { mirrorSyncs } from "../../../schema/tables";
import { getConfig } from "../config";
import { database } from "../db";
import type { AppEnv } from "../env";
import { finishJob } from "../jobs/job-state-store";
import { ApiError, notFound } from "../lib/api-error";
import { sha256Hex } from "../lib/crypto";
import { describeError, log } from "../lib/log";
import { decodeCursor, encodeCursor } from "../lib/pagination";
import type { AppRouteHandler } from "../openapi";
import { loadOwnedProject } from "../projects/project-store";
import { enqueue } from "../queues/enqueue";
import { findBlobSize, findMissingBlobs, insertBlob } from "./blob-store";
import { commitChanges } from "./commit";
import { findCurrentFile, listFilesAt } from "./mirror-store";
import type * as routes from "./routes";
import { latestSync, loadSync, presentMirrorSummary, presentSync } from "./sync-store";

export const missing: AppRouteHandler<typeof routes.missing> = async (c) => {
  const db = database(c.env);
  const project = await loadOwnedProject(db, c.get("auth").userId, c.req.valid("param").id);
  return c.json({ missing: await findMissingBlobs(db, project.id, c.req.valid("json").hashes) }, 200);
};

/** Reads a blob upload with the file size cap enforced while it streams in. */
async function readBlob(c: Context<AppEnv>): Promise<ArrayBuffer> {
  const maxSize = getConfig(c.env).maxFileBytes;
  let bytes: ArrayBuffer = new ArrayBuffer(0);
  await bodyLimit({
    maxSize,
    onError: () => {
      throw new ApiError("PAYLOAD_TOO_LARGE", `A file may be at most ${maxSize} bytes.`, {
        max_bytes: maxSize,
      });
    },
  })(c, async () => {
    bytes = await c.req.arrayBuffer();
  });
  return bytes;
}

export const upload: AppRouteHandler<typeof routes.upload> = async (c) => {
  const { id, sha256 } = c.req.valid("param");
  const db = database(c.env);
  const project = await loadOwnedProject(db, c.get("auth").userId, id);
  const knownSize = await findBlobSize(db, project.id, sha256);
  // Already stored: answer without reading the body, so a re-upload costs nothing.
  if (knownSize !== undefined) return c.json({ sha256, size: knownSize, created: false }, 200);

  const bytes = await readBlob(c);
  const actual = await sha256Hex(bytes);
  if (actual !== sha256) {
    throw new ApiError("HASH_MISMATCH", "The uploaded bytes do not hash to the SHA-256 in the URL.", {
      expected: sha256,
      actual,
    });
  }
  // Create-only: a concurrent upload of the same blob finds the object already there (null), which is fine.
  await c.env.BLOBS.put(r2Keys.blob(project.id, sha256), bytes, {
    onlyIf: { etagDoesNotMatch: "*" },
    sha256,
    httpMetadata: { contentType: "application/octet-stream" },
  });
  await insertBlob(db, {
    projectId: project.id,
    sha256,
    size: bytes.byteLength,
    createdAt: new Date().toISOString(),
  });
  return c.json({ sha256, size: bytes.byteLength, created: true }, 201);
};

export const commit: AppRouteHandler<typeof routes.commit> = async (c) => {
  const db = database(c.env);
  const project = await loadOwnedProject(db, c.get("auth").userId, c.req.valid("param").id);
  const { revision, syncId } = await commitChanges(db, getConfig(c.env), project, c.req.valid("json"));
  try {
    await enqueue(c.env, { kind: "repo.sync", sync_id: syncId, project_id: project.id, revision });
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
  return c.json({ revision, sync_id: syncId }, 202);
};

export const summary: AppRouteHandler<typeof routes.summary> = async (c) => {
  const db = database(c.env);
  const project = await loadOwnedProject(db, c.get("auth").userId, c.req.valid("param").id);
  return c.json(presentMirrorSummary(project, await latestSync(db, project.id)), 200);
};

export const files: AppRouteHandler<typeof routes.files> = async (c) => {
  const db = database(c.env);
  const project = await loadOwnedProject(db, c.get("auth").userId, c.req.valid("param").id);
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
  const project = await loadOwnedProject(db, c.get("auth").userId, c.req.valid("param").id);
  const path = c.req.valid("query").path;
  const row = await findCurrentFile(db, project.id, path);
  if (!row) throw new ApiError("FILE_NOT_FOUND", "No such file in the mirror.", { path });
  const etag = `"${row.sha256}"`;
  if (c.req.header("if-none-match") === etag) return c.body(null, 304, { etag });
  const object = await c.env.BLOBS.get(r2Keys.blob(project.id, row.sha256));
  if (!object) throw new ApiError("FILE_NOT_FOUND", "The file's content is missing from storage.", { path });
  return c.body(object.body, 200, {
    "content-type": contentTypeFor(path),
    "content-length": String(row.size),
    etag,
    "cache-control": "private, no-cache",
  });
};

export const sync: AppRouteHandler<typeof routes.sync> = async (c) => {
  const { id, sync_id } = c.req.valid("param");
  const db = database(c.env);
  const project = await loadOwnedProject(db, c.get("auth").userId, id);
  return c.json(presentSync(await loadSync(db, project.id, sync_id)), 200);
};
