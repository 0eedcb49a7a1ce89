import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import {
  type BatchBlob,
  type BlobBatchResult,
  DEFAULT_BATCH_LIMITS,
  type HiveSyncClient,
  HiveSyncError,
  mapWithConcurrency,
  throwIfAborted,
} from "../../core/src";

/** A blob to upload: its hash, size and a file that holds it. */
export type BlobSource = { sha256: string; size: number; absolutePath: string; path: string };

/** Blobs of at least this many bytes go alone, through `PUT /blobs/:sha256` (1 MiB). */
export const LARGE_BLOB_BYTES = 1024 * 1024;

/** How many blobs and bytes (the blobs' sum) one batch may carry. */
export type BatchLimits = { blobs: number; bytes: number };

/** How often a batch's blobs that did not land (cut off, garbled in transit) are sent again. */
const RESEND_ROUNDS = 3;
/** Files read at once while one batch is put together. */
const READS_PER_BATCH = 8;

/** How {@link uploadBlobs} uploads. */
export type UploadBlobsOptions = {
  /** Requests in flight at once: batches and single uploads together (default 4). */
  concurrency?: number;
  signal?: AbortSignal;
  /** After each blob that landed on the server (stored now, or found there already). */
  onUploaded?: (blob: BlobSource) => void;
  /**
   * The most blobs and bytes per batch (default {@link DEFAULT_BATCH_LIMITS}, the server's
   * defaults). A server that answers 413 with lower `max_blobs`/`max_bytes` lowers them for the
   * rest of the upload.
   */
  batchLimits?: Partial<BatchLimits>;
  /** Blobs at least this large are sent alone (default {@link LARGE_BLOB_BYTES}). */
  largeBlobBytes?: number;
};

/** What {@link packBlobs} makes of a list of blobs: batches of small ones and large ones alone. */
export type PackedBlobs = { batches: BlobSource[][]; singles: BlobSource[] };

/**
 * Packs `blobs` for upload, in the order given: those of at least `largeBlobBytes` alone, the rest
 * into batches that close when the next blob would go over `limits.blobs` blobs or `limits.bytes`
 * bytes.
 *
 * @example
 * const { batches, singles } = packBlobs(blobs, { blobs: 256, bytes: 16 * 1024 * 1024 });
 */
export function packBlobs(
  blobs: readonly BlobSource[],
  limits: BatchLimits,
  largeBlobBytes = LARGE_BLOB_BYTES,
): PackedBlobs {
  const singles: BlobSource[] = [];
  const batches: BlobSource[][] = [];
  let current: BlobSource[] = [];
  let bytes = 0;
  for (const blob of blobs) {
    if (blob.size >= largeBlobBytes || blob.size > limits.bytes) {
      singles.push(blob);
      continue;
    }
    if (current.length > 0 && (current.length >= limits.blobs || bytes + blob.size > limits.bytes)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(blob);
    bytes += blob.size;
  }
  if (current.length > 0) batches.push(current);
  return { batches, singles };
}

/**
 * Uploads blobs with at most `concurrency` requests in flight. Small files travel in batches
 * (`POST /blobs/batch`, packed by {@link packBlobs}), large ones alone (`PUT /blobs/:sha256`), so a
 * push of thousands of files takes a few dozen requests and stays far below the API's general
 * rate limit. Each file is read whole (files are capped at the server's `MAX_FILE_BYTES`, 10 MiB
 * by default) and re-hashed first: a file edited since it was hashed fails with `FILE_CHANGED`
 * (`details.path`) instead of sending bytes the server would reject.
 *
 * A failed batch resumes without resending what landed: the client's retries ask the server which
 * blobs it still lacks, and blobs a batch answer reports as not received or garbled are sent again
 * (up to three rounds). `onUploaded` fires for every blob that landed, so a caller that stops on
 * an error knows what is on the server. A file the server finds too large fails with
 * `PAYLOAD_TOO_LARGE` naming it.
 *
 * @example
 * await uploadBlobs(client, projectId, blobs, {
 *   concurrency: 4,
 *   onUploaded: (blob) => console.log("sent", blob.path),
 * });
 */
export async function uploadBlobs(
  client: HiveSyncClient,
  projectId: string,
  blobs: readonly BlobSource[],
  options: UploadBlobsOptions = {},
): Promise<void> {
  const { signal } = options;
  const limits: BatchLimits = {
    blobs: options.batchLimits?.blobs ?? DEFAULT_BATCH_LIMITS.blobs,
    bytes: options.batchLimits?.bytes ?? DEFAULT_BATCH_LIMITS.bytes,
  };
  const largeBlobBytes = options.largeBlobBytes ?? LARGE_BLOB_BYTES;
  const unique = [...new Map(blobs.map((b) => [b.sha256, b])).values()];
  const { batches, singles } = packBlobs(unique, limits, largeBlobBytes);
  // Largest first: the long uploads start early and the small batches fill in around them.
  const units = [
    ...singles.map((blob) => ({ bytes: blob.size, run: () => uploadOne(client, projectId, blob, options) })),
    ...batches.map((batch) => ({
      bytes: batch.reduce((sum, b) => sum + b.size, 0),
      run: () => uploadBatch(client, projectId, batch, limits, largeBlobBytes, options),
    })),
  ].sort((a, b) => b.bytes - a.bytes);
  await mapWithConcurrency(units, options.concurrency ?? 4, (unit) => unit.run(), signal);
}

async function readVerified(blob: BlobSource, signal: AbortSignal | undefined): Promise<Uint8Array> {
  const bytes = await readFile(blob.absolutePath, { signal });
  const actual = createHash("sha256").update(bytes).digest("hex");
  if (actual !== blob.sha256) {
    throw new HiveSyncError({
      status: 0,
      code: "FILE_CHANGED",
      message: `${blob.path} changed while it was being synced; sync again.`,
      details: { path: blob.path },
    });
  }
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
}

function tooLarge(blob: BlobSource, cause?: HiveSyncError): HiveSyncError {
  // A server configured with a smaller MAX_FILE_BYTES than this client assumed: name the file.
  return new HiveSyncError({
    status: cause?.status ?? 413,
    code: "PAYLOAD_TOO_LARGE",
    message: `${blob.path} (${blob.size} bytes) is larger than this server accepts per file (MAX_FILE_BYTES); leave it out with .hivesyncignore.`,
    details: { ...cause?.details, path: blob.path, size: blob.size },
    ...(cause?.requestId ? { requestId: cause.requestId } : {}),
    ...(cause ? { cause } : {}),
  });
}

async function uploadOne(
  client: HiveSyncClient,
  projectId: string,
  blob: BlobSource,
  options: UploadBlobsOptions,
): Promise<void> {
  const bytes = await readVerified(blob, options.signal);
  try {
    await client.blobs.upload(projectId, blob.sha256, bytes, { signal: options.signal });
  } catch (error) {
    // A 413 naming a project `limit` is the project's allowance, not this file's size: the
    // server's own words say what to do.
    if (
      error instanceof HiveSyncError &&
      error.code === "PAYLOAD_TOO_LARGE" &&
      error.details.limit === undefined
    )
      throw tooLarge(blob, error);
    throw error;
  }
  options.onUploaded?.(blob);
}

const landed = (result: BlobBatchResult) => result.status === "stored" || result.status === "already_stored";

/**
 * Sends one batch until every blob landed: split first if the limits shrank since it was packed,
 * smaller again after a 413 that names lower limits, and the blobs that did not land (cut off or
 * garbled) resent, at most {@link RESEND_ROUNDS} times.
 */
async function uploadBatch(
  client: HiveSyncClient,
  projectId: string,
  batch: BlobSource[],
  limits: BatchLimits,
  largeBlobBytes: number,
  options: UploadBlobsOptions,
): Promise<void> {
  const { signal } = options;
  const packed = packBlobs(batch, limits, largeBlobBytes);
  for (const blob of packed.singles) await uploadOne(client, projectId, blob, options);
  for (const [index, part] of packed.batches.entries()) {
    let pending = part;
    for (let round = 1; pending.length > 0; round++) {
      throwIfAborted(signal);
      const bytes = await mapWithConcurrency(
        pending,
        READS_PER_BATCH,
        (b) => readVerified(b, signal),
        signal,
      );
      const sent: BatchBlob[] = pending.map((b, i) => ({ sha256: b.sha256, bytes: bytes[i] as Uint8Array }));
      let results: BlobBatchResult[];
      try {
        results = await client.blobs.uploadBatch(projectId, sent, { signal });
      } catch (error) {
        const lower = lowerLimits(error, limits, pending);
        if (!lower) throw error;
        limits.blobs = lower.blobs;
        limits.bytes = lower.bytes;
        // Nothing of this part was stored: pack it and the parts after it again, smaller.
        const rest = [pending, ...packed.batches.slice(index + 1)].flat();
        return uploadBatch(client, projectId, rest, limits, largeBlobBytes, options);
      }
      const again: BlobSource[] = [];
      results.forEach((result, i) => {
        const blob = pending[i] as BlobSource;
        if (landed(result)) options.onUploaded?.(blob);
        else if (result.status === "too_large") throw tooLarge(blob);
        else again.push(blob);
      });
      if (again.length > 0 && round >= RESEND_ROUNDS) {
        const first = again[0] as BlobSource;
        throw new HiveSyncError({
          status: 0,
          code: "UPLOAD_INCOMPLETE",
          message: `${first.path}${again.length > 1 ? ` and ${again.length - 1} more` : ""} did not reach the server intact after ${RESEND_ROUNDS} tries; sync again.`,
          details: { paths: again.map((b) => b.path) },
        });
      }
      pending = again;
    }
  }
}

/** The server's lower batch limits from a 413 about a batch, or null when it is not that. */
function lowerLimits(error: unknown, limits: BatchLimits, batch: readonly BlobSource[]): BatchLimits | null {
  if (!(error instanceof HiveSyncError) || error.code !== "PAYLOAD_TOO_LARGE") return null;
  const { max_blobs: maxBlobs, max_bytes: maxBytes } = error.details as {
    max_blobs?: unknown;
    max_bytes?: unknown;
  };
  const next = {
    blobs: typeof maxBlobs === "number" && maxBlobs >= 1 ? Math.min(limits.blobs, maxBlobs) : limits.blobs,
    bytes: typeof maxBytes === "number" && maxBytes >= 1 ? Math.min(limits.bytes, maxBytes) : limits.bytes,
  };
  const total = batch.reduce((sum, b) => sum + b.size, 0);
  // Only when the batch does not fit the new limits; otherwise the 413 has another cause.
  return batch.length > next.blobs || total > next.bytes ? next : null;
}
