import { BlobUploaded as BlobUploadedSchema, MissingBlobsResponse } from "../schemas";
import type { CallOptions, Transport } from "../transport";
import type { BlobUploaded } from "../types";
import { seg } from "../url";
import { call } from "./call";

/** The most hashes one `POST /blobs/missing` accepts (spec §4). */
export const MAX_HASHES_PER_MISSING_CALL = 1000;

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
}
