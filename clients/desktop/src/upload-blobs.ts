import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { type HiveSyncClient, HiveSyncError, mapWithConcurrency } from "../../core/src";

/** A blob to upload: its hash, size and a file that holds it. */
export type BlobSource = { sha256: string; size: number; absolutePath: string; path: string };

/** How {@link uploadBlobs} uploads. */
export type UploadBlobsOptions = {
  concurrency?: number;
  signal?: AbortSignal;
  /** After each finished upload. */
  onUploaded?: (blob: BlobSource) => void;
};

/**
 * Uploads blobs with at most `concurrency` requests in flight. Each file is read whole (files are
 * capped at the server's `MAX_FILE_BYTES`, 10 MiB by default) and re-hashed first: a file edited
 * since it was hashed fails with `FILE_CHANGED` instead of sending bytes the server would reject
 * as `HASH_MISMATCH`. A file the server finds too large (413 `PAYLOAD_TOO_LARGE`) fails with an
 * error naming it.
 *
 * @example
 * await uploadBlobs(client, projectId, blobs, { concurrency: 4 });
 */
export async function uploadBlobs(
  client: HiveSyncClient,
  projectId: string,
  blobs: readonly BlobSource[],
  options: UploadBlobsOptions = {},
): Promise<void> {
  await mapWithConcurrency(
    blobs,
    options.concurrency ?? 4,
    async (blob) => {
      const bytes = await readFile(blob.absolutePath, { signal: options.signal });
      const actual = createHash("sha256").update(bytes).digest("hex");
      if (actual !== blob.sha256) {
        throw new HiveSyncError({
          status: 0,
          code: "FILE_CHANGED",
          message: `${blob.path} changed while it was being synced; sync again.`,
          details: { path: blob.path },
        });
      }
      try {
        await client.blobs.upload(
          projectId,
          blob.sha256,
          new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length),
          { signal: options.signal },
        );
      } catch (error) {
        // A server configured with a smaller MAX_FILE_BYTES than this client assumed: name the file.
        if (error instanceof HiveSyncError && error.code === "PAYLOAD_TOO_LARGE") {
          throw new HiveSyncError({
            status: error.status,
            code: error.code,
            message: `${blob.path} (${bytes.length} bytes) is larger than this server accepts per file (MAX_FILE_BYTES); leave it out with .hivesyncignore.`,
            details: { ...error.details, path: blob.path, size: bytes.length },
            requestId: error.requestId,
            cause: error,
          });
        }
        throw error;
      }
      options.onUploaded?.(blob);
    },
    options.signal,
  );
}
