import { withRetry } from "../retry";
import {
  BLOB_BATCH_CONTENT_TYPE,
  BlobBatchResponse,
  BlobUploaded as BlobUploadedSchema,
  LIMIT_DEFAULTS,
  MissingBlobsResponse,
} from "../schemas";
import type { CallOptions, Transport } from "../transport";
import type { BlobBatchResult, BlobUploaded } from "../types";
import { seg } from "../url";
import { call } from "./call";

/** The most hashes one `POST /blobs/missing` accepts (spec §4). */
export const MAX_HASHES_PER_MISSING_CALL = 1000;

/**
 * What one `POST /blobs/batch` may carry by the server's defaults (`MAX_BATCH_BLOBS`,
 * `MAX_BATCH_BYTES`: the blobs' bytes, the header line comes on top). A server configured lower
 * answers 413 `PAYLOAD_TOO_LARGE` with its `max_blobs` and `max_bytes` in `details`.
 */
export const DEFAULT_BATCH_LIMITS = {
  blobs: LIMIT_DEFAULTS.MAX_BATCH_BLOBS,
  bytes: LIMIT_DEFAULTS.MAX_BATCH_BYTES,
} as const;

/** One blob of a batch: its SHA-256 and its bytes. */
export type BatchBlob = { sha256: string; bytes: Uint8Array };

const encoder = new TextEncoder();

/**
 * The content-addressed blob store of a project's mirror: `client.blobs`.
 *
 * @example
 * const missing = await client.blobs.missing(projectId, hashes);
 * for (const hash of missing) await client.blobs.upload(projectId, hash, bytesOf(hash));
 */
export class BlobsApi {
  readonly #t: Transport;

  constructor(transport: Transport) {
    this.#t = transport;
  }

  /**
   * Which of `hashes` the server does not have yet. Any number of hashes: they are asked about in
   * calls of at most 1,000.
   *
   * @example
   * const missing = await client.blobs.missing(projectId, ["9f86d0…"]);
   */
  async missing(projectId: string, hashes: readonly string[], options?: CallOptions): Promise<string[]> {
    const unique = [...new Set(hashes)];
    const missing: string[] = [];
    for (let i = 0; i < unique.length; i += MAX_HASHES_PER_MISSING_CALL) {
      const batch = unique.slice(i, i + MAX_HASHES_PER_MISSING_CALL);
      const result = await this.#t.json(
        {
          method: "POST",
          path: `/projects/${seg(projectId)}/blobs/missing`,
          json: { hashes: batch },
          ...call(options),
        },
        MissingBlobsResponse,
      );
      missing.push(...result.missing);
    }
    return missing;
  }

  /**
   * Uploads one file's bytes under their SHA-256 (`PUT /projects/:id/blobs/:sha256`). The server
   * re-hashes them (422 `HASH_MISMATCH`); an existing blob is a cheap 200 (`created: false`).
   *
   * @example
   * await client.blobs.upload(projectId, sha256Hex(bytes), bytes);
   */
  upload(
    projectId: string,
    sha256: string,
    bytes: Uint8Array | ArrayBuffer | Blob,
    options?: CallOptions,
  ): Promise<BlobUploaded> {
    return this.#t.json(
      {
        method: "PUT",
        path: `/projects/${seg(projectId)}/blobs/${seg(sha256)}`,
        body: bytes,
        headers: { "content-type": "application/octet-stream" },
        ...call(options),
      },
      BlobUploadedSchema,
    );
  }

  /**
   * Uploads many blobs in one request (`POST /projects/:id/blobs/batch`: a JSON header line, then
   * the bytes back to back) and returns what became of each, in the order given (duplicates are
   * sent once): `stored` or `already_stored` landed; `hash_mismatch`, `too_large` and
   * `not_received` did not. Keep a batch within {@link DEFAULT_BATCH_LIMITS} (else 413
   * `PAYLOAD_TOO_LARGE` with the server's limits in `details`, nothing stored).
   *
   * Retried like any call (network errors, 5xx, 429), but a retry does not resend what landed: the
   * server keeps every blob it received whole, so before resending the client asks
   * `blobs/missing` about the batch and sends only those still missing (reported
   * `already_stored`).
   *
   * @example
   * const results = await client.blobs.uploadBatch(projectId, [
   *   { sha256: sha256Hex(a), bytes: a },
   *   { sha256: sha256Hex(b), bytes: b },
   * ]);
   * const failed = results.filter((r) => r.status !== "stored" && r.status !== "already_stored");
   */
  async uploadBatch(
    projectId: string,
    blobs: readonly BatchBlob[],
    options: CallOptions = {},
  ): Promise<BlobBatchResult[]> {
    const unique = [...new Map(blobs.map((b) => [b.sha256, b])).values()];
    const results = new Map<string, BlobBatchResult>();
    let pending = unique;
    await withRetry(
      async (attempt) => {
        if (attempt > 1) {
          // The failed attempt may have stored some: resend only what the server still lacks.
          const missing = new Set(
            await this.missing(
              projectId,
              pending.map((b) => b.sha256),
              { signal: options.signal, retry: false },
            ),
          );
          for (const blob of pending)
            if (!missing.has(blob.sha256))
              results.set(blob.sha256, {
                sha256: blob.sha256,
                size: blob.bytes.length,
                status: "already_stored",
              });
          pending = pending.filter((b) => missing.has(b.sha256));
          if (pending.length === 0) return;
        }
        const header = JSON.stringify({
          blobs: pending.map((b) => ({ sha256: b.sha256, size: b.bytes.length })),
        });
        const body = new Blob([encoder.encode(`${header}\n`), ...pending.map((b) => b.bytes as BlobPart)]);
        const answer = await this.#t.json(
          {
            method: "POST",
            path: `/projects/${seg(projectId)}/blobs/batch`,
            body,
            headers: { "content-type": BLOB_BATCH_CONTENT_TYPE },
            signal: options.signal,
            retry: false,
          },
          BlobBatchResponse,
        );
        for (const result of answer.results) results.set(result.sha256, result);
      },
      { ...this.#t.retryPolicy(options.retry), signal: options.signal },
    );
    return blobs.map(
      (b) =>
        results.get(b.sha256) ?? { sha256: b.sha256, size: b.bytes.length, status: "not_received" as const },
    );
  }
}
