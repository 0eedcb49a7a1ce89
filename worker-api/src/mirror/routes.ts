import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { idParam } from "../../../schema/api/common";
import {
  BlobUploaded,
  CommitChangesRequest,
  CommitChangesResponse,
  MirrorFile,
  MirrorFilesQuery,
  MirrorSummary,
  MissingBlobsRequest,
  MissingBlobsResponse,
  Sha256,
  Sync,
} from "../../../schema/api/mirror";
import { MirrorPath } from "../../../schema/api/paths";
import { contentTypeFor } from "../../../schema/content-types";
import { r2Keys } from "../../../schema/storage-keys";
import { getConfig } from "../config";
import type { AppEnv } from "../env";
import { ApiError, notFound } from "../lib/api-error";
import { sha256Hex } from "../lib/crypto";
import { describeError, log } from "../lib/log";
import { decodeCursor, encodeCursor } from "../lib/pagination";
import { requireAuth } from "../middleware/auth";
import { idempotent } from "../middleware/idempotency";
import { bearerAuth, createRouter, errorResponses, json } from "../openapi";
import { loadOwnedProject } from "../projects/project-store";
import { enqueue } from "../queues/enqueue";
import { commitChanges, findMissingBlobs, listFilesAt } from "./mirror-store";
import { loadSync, presentSync, type SyncRow } from "./syncs";

const common = { tags: ["Mirror"], security: bearerAuth, middleware: requireAuth };
const ProjectParams = z.object({ id: idParam("prj") });

const missing = createRoute({
  ...common,
  method: "post",
  path: "/projects/{id}/blobs/missing",
  summary: "Which of these content hashes still need uploading",
  request: { params: ProjectParams, body: { ...json(MissingBlobsRequest), required: true } },
  responses: {
    200: { description: "The missing hashes", ...json(MissingBlobsResponse) },
    ...errorResponses(400, 401, 404),
  },
});

const upload = createRoute({
  ...common,
  method: "put",
  path: "/projects/{id}/blobs/{sha256}",
  summary: "Upload one file's bytes, addressed by their SHA-256",
  description:
    "Raw bytes (any content type), at most MAX_FILE_BYTES. Create-only: an existing blob answers 200 at once.",
  request: { params: ProjectParams.extend({ sha256: Sha256 }) },
  responses: {
    200: { description: "Already stored", ...json(BlobUploaded) },
    201: { description: "Stored", ...json(BlobUploaded) },
    ...errorResponses(400, 401, 404, 413, 422),
  },
});

const commit = createRoute({
  ...common,
  method: "post",
  path: "/projects/{id}/mirror/changes",
  summary: "Commit a change set against base_revision",
  middleware: [requireAuth, idempotent] as const,
  request: { params: ProjectParams, body: { ...json(CommitChangesRequest), required: true } },
  responses: {
    202: { description: "Accepted; a repo-sync job verifies it", ...json(CommitChangesResponse) },
    ...errorResponses(400, 401, 404, 409, 413, 422),
  },
});

const summary = createRoute({
  ...common,
  method: "get",
  path: "/projects/{id}/mirror",
  summary: "The mirror's current revision and totals",
  request: { params: ProjectParams },
  responses: { 200: { description: "Summary", ...json(MirrorSummary) }, ...errorResponses(401, 404) },
});

const files = createRoute({
  ...common,
  method: "get",
  path: "/projects/{id}/mirror/files",
  summary: "The mirrored files, sorted by path",
  request: { params: ProjectParams, query: MirrorFilesQuery },
  responses: {
    200: {
      description: "A page of files",
      ...json(
        z.object({
          revision: z.number().int(),
          items: z.array(MirrorFile),
          next_cursor: z.string().nullable(),
        }),
      ),
    },
    ...errorResponses(400, 401, 404),
  },
});

const file = createRoute({
  ...common,
  method: "get",
  path: "/projects/{id}/mirror/file",
  summary: "One mirrored file's raw bytes",
  request: { params: ProjectParams, query: z.object({ path: MirrorPath }) },
  responses: {
    200: { description: "The bytes; etag is the SHA-256" },
    304: { description: "Unchanged (If-None-Match)" },
    ...errorResponses(400, 401, 404),
  },
});

const sync = createRoute({
  ...common,
  method: "get",
  path: "/projects/{id}/syncs/{sync_id}",
  summary: "A repo-sync job's status",
  request: { params: ProjectParams.extend({ sync_id: idParam("syn") }) },
  responses: { 200: { description: "The sync", ...json(Sync) }, ...errorResponses(401, 404) },
});

/** Reads a blob upload with the file size cap enforced while it streams in. */
function blobSizeLimit(c: Context<AppEnv>, next: () => Promise<void>) {
  const maxSize = getConfig(c.env).maxFileBytes;
  return bodyLimit({
    maxSize,
    onError: () => {
      throw new ApiError("PAYLOAD_TOO_LARGE", `A file may be at most ${maxSize} bytes.`, {
        max_bytes: maxSize,
      });
    },
  })(c, next);
}

export function mirrorRoutes() {
  const app = createRouter();

  app.openapi(missing, async (c) => {
    const project = await loadOwnedProject(c.env, c.get("auth").userId, c.req.valid("param").id);
    return c.json({ missing: await findMissingBlobs(c.env, project.id, c.req.valid("json").hashes) }, 200);
  });

  app.openapi(upload, async (c) => {
    const { id, sha256 } = c.req.valid("param");
    const project = await loadOwnedProject(c.env, c.get("auth").userId, id);
    const known = await c.env.DB.prepare("SELECT size FROM mirror_blobs WHERE project_id = ? AND sha256 = ?")
      .bind(project.id, sha256)
      .first<{ size: number }>();
    // Already stored: answer without reading the body, so a re-upload costs nothing.
    if (known) return c.json({ sha256, size: known.size, created: false }, 200);

    let bytes: ArrayBuffer = new ArrayBuffer(0);
    await blobSizeLimit(c, async () => {
      bytes = await c.req.arrayBuffer();
    });
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
    await c.env.DB.prepare(
      "INSERT INTO mirror_blobs (project_id, sha256, size, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
    )
      .bind(project.id, sha256, bytes.byteLength, new Date().toISOString())
      .run();
    return c.json({ sha256, size: bytes.byteLength, created: true }, 201);
  });

  app.openapi(commit, async (c) => {
    const project = await loadOwnedProject(c.env, c.get("auth").userId, c.req.valid("param").id);
    const { revision, syncId } = await commitChanges(c.env, getConfig(c.env), project, c.req.valid("json"));
    try {
      await enqueue(c.env, { kind: "repo.sync", sync_id: syncId, project_id: project.id, revision });
    } catch (err) {
      // The revision is committed either way; a sync that could not be queued must not look pending forever.
      log("error", "repo-sync not queued", {
        request_id: c.get("requestId"),
        sync_id: syncId,
        ...describeError(err),
      });
      await c.env.DB.prepare(
        "UPDATE mirror_syncs SET status = 'failed', error = ?, updated_at = ? WHERE id = ?",
      )
        .bind(
          JSON.stringify({ code: "queue_unavailable", message: "The sync job could not be queued." }),
          new Date().toISOString(),
          syncId,
        )
        .run();
    }
    return c.json({ revision, sync_id: syncId }, 202);
  });

  app.openapi(summary, async (c) => {
    const project = await loadOwnedProject(c.env, c.get("auth").userId, c.req.valid("param").id);
    const last = await c.env.DB.prepare(
      "SELECT * FROM mirror_syncs WHERE project_id = ? ORDER BY revision DESC LIMIT 1",
    )
      .bind(project.id)
      .first<SyncRow>();
    return c.json(
      {
        revision: project.mirror_revision,
        branch: project.mirror_branch,
        commit: project.mirror_commit,
        file_count: project.mirror_file_count,
        total_bytes: project.mirror_total_bytes,
        updated_at: project.mirror_updated_at,
        last_sync: last ? presentSync(last) : null,
      },
      200,
    );
  });

  app.openapi(files, async (c) => {
    const project = await loadOwnedProject(c.env, c.get("auth").userId, c.req.valid("param").id);
    const { prefix, revision, limit, cursor } = c.req.valid("query");
    if (revision !== undefined && revision > project.mirror_revision) throw notFound("Revision");
    const rows = await listFilesAt(c.env, project.id, {
      revision,
      prefix,
      after: decodeCursor(cursor),
      limit: limit + 1,
    });
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return c.json(
      {
        revision: revision ?? project.mirror_revision,
        items: page,
        next_cursor: rows.length > limit && last ? encodeCursor(last.path) : null,
      },
      200,
    );
  });

  app.openapi(file, async (c) => {
    const project = await loadOwnedProject(c.env, c.get("auth").userId, c.req.valid("param").id);
    const path = c.req.valid("query").path;
    const row = await c.env.DB.prepare(
      "SELECT sha256, size FROM mirror_files WHERE project_id = ? AND revision_to IS NULL AND path = ?",
    )
      .bind(project.id, path)
      .first<{ sha256: string; size: number }>();
    if (!row) throw new ApiError("FILE_NOT_FOUND", "No such file in the mirror.", { path });
    const etag = `"${row.sha256}"`;
    if (c.req.header("if-none-match") === etag) return c.body(null, 304, { etag });
    const object = await c.env.BLOBS.get(r2Keys.blob(project.id, row.sha256));
    if (!object)
      throw new ApiError("FILE_NOT_FOUND", "The file's content is missing from storage.", { path });
    return c.body(object.body, 200, {
      "content-type": contentTypeFor(path),
      "content-length": String(row.size),
      etag,
      "cache-control": "private, no-cache",
    });
  });

  app.openapi(sync, async (c) => {
    const { id, sync_id } = c.req.valid("param");
    const project = await loadOwnedProject(c.env, c.get("auth").userId, id);
    return c.json(presentSync(await loadSync(c.env, project.id, sync_id)), 200);
  });

  return app;
}
