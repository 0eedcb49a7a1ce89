import { z } from "zod";
import { JOB_ERROR_CODES, JOB_ERRORS } from "../job-errors";
import { Timestamp } from "./common";
import { MirrorPath } from "./paths";

export const Sha256 = z
  .string()
  .regex(/^[0-9a-f]{64}$/, "must be a lower-case hex SHA-256")
  .meta({ example: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08" });

export const MissingBlobsRequest = z
  .object({ hashes: z.array(Sha256).min(1).max(1000) })
  .meta({ id: "MissingBlobsRequest" });
export const MissingBlobsResponse = z
  .object({ missing: z.array(Sha256) })
  .meta({ id: "MissingBlobsResponse" });

export const BlobUploaded = z
  .object({ sha256: Sha256, size: z.number().int(), created: z.boolean() })
  .meta({ id: "BlobUploaded" });

export const MirrorChange = z.discriminatedUnion("op", [
  z.object({ op: z.literal("put"), path: MirrorPath, sha256: Sha256, size: z.number().int().min(0) }),
  z.object({ op: z.literal("delete"), path: MirrorPath }),
]);
export type MirrorChange = z.infer<typeof MirrorChange>;

export const CommitChangesRequest = z
  .object({
    base_revision: z.number().int().min(0),
    branch: z.string().min(1).max(255).optional(),
    commit: z.string().min(1).max(255).optional(),
    message: z.string().max(2000).optional(),
    changes: z.array(MirrorChange).min(1).max(1000),
  })
  .superRefine((body, ctx) => {
    const seen = new Set<string>();
    body.changes.forEach((change, i) => {
      if (seen.has(change.path)) {
        ctx.addIssue({
          code: "custom",
          path: ["changes", i, "path"],
          message: "path appears twice in one change set",
        });
      }
      seen.add(change.path);
    });
  })
  .meta({ id: "CommitChangesRequest" });

export const CommitChangesResponse = z
  .object({ revision: z.number().int(), sync_id: z.string() })
  .meta({ id: "CommitChangesResponse" });

export const SyncStatus = z.enum(["queued", "running", "succeeded", "failed"]);

export const SyncStats = z.object({
  file_count: z.number().int(),
  total_bytes: z.number().int(),
  languages: z.record(z.string(), z.number().int()),
});
export type SyncStats = z.infer<typeof SyncStats>;

/** Why a job, sync or preview build failed: one of the job error table's codes (schema/job-errors.ts). */
export const JobErrorCode = z.enum(JOB_ERROR_CODES).meta({
  id: "JobErrorCode",
  description: [
    "Why the work failed. Retryable: starting the same work again later can succeed unchanged.",
    "",
    ...JOB_ERROR_CODES.map(
      (code) =>
        `- \`${code}\`${JOB_ERRORS[code].retryable ? " (retryable)" : ""}: ${JOB_ERRORS[code].meaning}`,
    ),
  ].join("\n"),
});

/** A failed job's machine code and a message for people (never file contents or secrets). */
export const JobError = z.object({ code: JobErrorCode, message: z.string() });
export type JobError = z.infer<typeof JobError>;

export const Sync = z
  .object({
    id: z.string(),
    project_id: z.string(),
    status: SyncStatus,
    revision: z.number().int(),
    stats: SyncStats.optional(),
    error: JobError.optional(),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .meta({ id: "Sync" });

export const MirrorSummary = z
  .object({
    revision: z.number().int(),
    branch: z.string().nullable(),
    commit: z.string().nullable(),
    file_count: z.number().int(),
    total_bytes: z.number().int(),
    updated_at: Timestamp.nullable(),
    last_sync: Sync.nullable(),
  })
  .meta({ id: "MirrorSummary" });

export const MirrorFile = z
  .object({ path: z.string(), sha256: Sha256, size: z.number().int() })
  .meta({ id: "MirrorFile" });

export const MirrorFilesQuery = z.object({
  prefix: z.string().max(512).optional(),
  revision: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(500),
  cursor: z.string().min(1).max(1024).optional(),
});

/**
 * `POST /projects/:id/blobs/batch` carries many blobs in one body: this header as one line of
 * JSON (UTF-8, ended by `\n`), then each blob's bytes back to back, in the header's order and of
 * exactly its declared size, and nothing after the last one. Content type
 * `application/vnd.hivesync.blob-batch` (not enforced).
 */
export const BLOB_BATCH_CONTENT_TYPE = "application/vnd.hivesync.blob-batch";

/** The header line may hold this many bytes per declared blob (plus 1 KiB): send it compact. */
export const BLOB_BATCH_HEADER_BYTES_PER_BLOB = 128;

export const BlobBatchHeader = z
  .object({
    blobs: z
      .array(z.object({ sha256: Sha256, size: z.number().int().min(0) }))
      .min(1)
      .meta({ description: "The blobs that follow the header line, in order." }),
  })
  .meta({ id: "BlobBatchHeader" });
export type BlobBatchHeader = z.infer<typeof BlobBatchHeader>;

/**
 * What became of one declared blob:
 * - `stored`: verified and written now;
 * - `already_stored`: verified; the project had it already (nothing overwritten);
 * - `hash_mismatch`: its bytes hash to `actual`, not to `sha256`: not stored;
 * - `too_large`: its size is over MAX_FILE_BYTES: its bytes were skipped, not stored;
 * - `not_received`: the body ended (or broke off) before its last byte: not stored.
 * Only `stored` and `already_stored` count as uploaded; send the others again (fixed) later.
 */
export const BlobBatchStatus = z
  .enum(["stored", "already_stored", "hash_mismatch", "too_large", "not_received"])
  .meta({ id: "BlobBatchStatus" });
export type BlobBatchStatus = z.infer<typeof BlobBatchStatus>;

export const BlobBatchResult = z
  .object({
    sha256: Sha256,
    size: z.number().int(),
    status: BlobBatchStatus,
    actual: Sha256.optional().meta({ description: "The bytes' real SHA-256 (hash_mismatch only)." }),
  })
  .meta({ id: "BlobBatchResult" });
export type BlobBatchResult = z.infer<typeof BlobBatchResult>;

export const BlobBatchResponse = z
  .object({ results: z.array(BlobBatchResult).meta({ description: "One per declared blob, in order." }) })
  .meta({ id: "BlobBatchResponse" });
