import { z } from "@hono/zod-openapi";
import { ConditionalHeaders, idParam } from "../../../schema/api/common";
import {
  BLOB_BATCH_CONTENT_TYPE,
  BlobBatchResponse,
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
import { UNCOMMITTED_BLOB_TTL_HOURS } from "../../../schema/limits";
import { json } from "../openapi";
import { defineRoute } from "../routing/define-route";

const ProjectParams = z.object({ id: idParam("prj") });
const tags = ["Mirror"];

export const missing = defineRoute({
  method: "post",
  path: "/projects/{id}/blobs/missing",
  tags,
  summary: "Which of these content hashes still need uploading",
  auth: "user",
  ownedProject: "id",
  errors: ["NOT_FOUND"],
  request: { params: ProjectParams, body: { ...json(MissingBlobsRequest), required: true } },
  responses: { 200: { description: "The missing hashes", ...json(MissingBlobsResponse) } },
});

export const upload = defineRoute({
  method: "put",
  path: "/projects/{id}/blobs/{sha256}",
  tags,
  summary: "Upload one file's bytes, addressed by their SHA-256",
  description:
    "Raw bytes (any content type), at most MAX_FILE_BYTES. Create-only: an existing blob answers 200 (its bytes are verified, not written again). Many small files go faster as one batch (POST /projects/{id}/blobs/batch). Uploads that no commit names yet may take at most MAX_PROJECT_BYTES per project (413 `PAYLOAD_TOO_LARGE` with `limit`, `uncommitted_bytes` and `bytes` in details, nothing stored); they are deleted " +
    `${UNCOMMITTED_BLOB_TTL_HOURS} hours after upload.`,
  auth: "user",
  ownedProject: "id",
  // The handler reads the bytes itself, under the file size cap rather than the JSON one.
  body: "raw",
  errors: ["NOT_FOUND", "PAYLOAD_TOO_LARGE", "HASH_MISMATCH"],
  request: {
    params: ProjectParams.extend({ sha256: Sha256 }),
    body: {
      content: { "application/octet-stream": { schema: { type: "string", format: "binary" } } },
      required: true,
    },
  },
  responses: {
    200: { description: "Already stored", ...json(BlobUploaded) },
    201: { description: "Stored", ...json(BlobUploaded) },
  },
});

export const batch = defineRoute({
  method: "post",
  path: "/projects/{id}/blobs/batch",
  tags,
  summary: "Upload many files' bytes in one request",
  description: [
    'The body is one header line of JSON, `{"blobs":[{"sha256":"<hex>","size":<bytes>},…]}` ended by `\\n`,',
    "then each declared blob's bytes back to back in the header's order, exactly `size` bytes each, and nothing after",
    "the last. At most MAX_BATCH_BLOBS blobs and MAX_BATCH_BYTES bytes of blobs per request (413 before anything is",
    "stored, with the limits in details); the header line at most 1 KiB + 128 bytes per blob.",
    "",
    "Each blob is verified by its SHA-256 and written create-only at the same address as a single upload. The answer",
    "lists every declared blob in order with its status (`stored`, `already_stored`, `hash_mismatch`, `too_large`,",
    "`not_received`): resend only those that are neither stored nor already stored. A body that ends or breaks off",
    "early keeps every blob received whole stored and recorded.",
    "",
    "Uploads that no commit names yet may take at most MAX_PROJECT_BYTES per project: a batch whose new blobs would go",
    "over is refused whole (413 `PAYLOAD_TOO_LARGE` with `limit`, `uncommitted_bytes` and `bytes` in details). They are",
    `deleted ${UNCOMMITTED_BLOB_TTL_HOURS} hours after upload.`,
  ].join("\n"),
  auth: "user",
  ownedProject: "id",
  // The handler reads the frames itself, a blob at a time, under the batch caps.
  body: "raw",
  errors: ["NOT_FOUND", "PAYLOAD_TOO_LARGE", "INVALID_JSON", "VALIDATION_FAILED"],
  request: {
    params: ProjectParams,
    body: {
      content: { [BLOB_BATCH_CONTENT_TYPE]: { schema: { type: "string", format: "binary" } } },
      required: true,
    },
  },
  responses: {
    200: { description: "What became of each declared blob, in order", ...json(BlobBatchResponse) },
  },
});

export const commit = defineRoute({
  method: "post",
  path: "/projects/{id}/mirror/changes",
  tags,
  summary: "Commit a change set against base_revision",
  description: [
    "The tree the change set leaves must be one every common file system can hold: a path it adds may not be another",
    "path in another case, a file where the tree needs a folder (or the reverse), a folder spelled in two cases, a",
    "reserved Windows name (CON, PRN, AUX, NUL, COM1–9, LPT1–9, any case, any extension) as any segment, a segment",
    "ending in a dot or a space, or hold U+2028/U+2029. Otherwise 422 `INVALID_PATH`, each offending change in",
    "`details.issues`. At most MAX_PROJECT_FILES files (422 `LIMIT_EXCEEDED`) and MAX_PROJECT_BYTES bytes (413).",
  ].join("\n"),
  auth: "user",
  idempotent: true,
  errors: [
    "NOT_FOUND",
    "INVALID_PATH",
    "REVISION_CONFLICT",
    "BLOB_MISSING",
    "HASH_MISMATCH",
    "LIMIT_EXCEEDED",
  ],
  request: { params: ProjectParams, body: { ...json(CommitChangesRequest), required: true } },
  responses: {
    202: { description: "Accepted; a repo-sync job verifies it", ...json(CommitChangesResponse) },
  },
});

export const summary = defineRoute({
  method: "get",
  path: "/projects/{id}/mirror",
  tags,
  summary: "The mirror's current revision and totals",
  auth: "user",
  ownedProject: "id",
  errors: ["NOT_FOUND"],
  request: { params: ProjectParams },
  responses: { 200: { description: "Summary", ...json(MirrorSummary) } },
});

export const files = defineRoute({
  method: "get",
  path: "/projects/{id}/mirror/files",
  tags,
  summary: "The mirrored files, sorted by path",
  auth: "user",
  ownedProject: "id",
  errors: ["NOT_FOUND"],
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
  },
});

export const file = defineRoute({
  method: "get",
  path: "/projects/{id}/mirror/file",
  tags,
  summary: "One mirrored file's raw bytes",
  auth: "user",
  ownedProject: "id",
  errors: ["NOT_FOUND", "INVALID_PATH", "FILE_NOT_FOUND"],
  request: { params: ProjectParams, query: z.object({ path: MirrorPath }), headers: ConditionalHeaders },
  responses: {
    200: {
      description: "The bytes, with a content type guessed from the path; etag is the SHA-256",
      content: { "*/*": { schema: { type: "string", format: "binary" } } },
    },
    304: { description: "Unchanged (If-None-Match)" },
  },
});

export const sync = defineRoute({
  method: "get",
  path: "/projects/{id}/syncs/{sync_id}",
  tags,
  summary: "A repo-sync job's status",
  auth: "user",
  ownedProject: "id",
  errors: ["NOT_FOUND"],
  request: { params: ProjectParams.extend({ sync_id: idParam("syn") }) },
  responses: { 200: { description: "The sync", ...json(Sync) } },
});
