import {
  sleep as abortableSleep,
  backoffDelayMs,
  DEFAULT_RETRY,
  HiveSyncError,
  type ManifestFile,
  Sha256,
  throwIfAborted,
} from "../../core/src";
import type { PreviewTarget } from "./preview-target";

/** How {@link downloadVerifiedFile} downloads. */
export type DownloadFileOptions = {
  signal?: AbortSignal;
  /** How many times a transfer that broke off mid-body is resumed before giving up (default 5). */
  maxResumes?: number;
  /** Bytes received (negative when a server ignored Range and the file starts over). */
  onBytes?: (delta: number) => void;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
};

/**
 * Downloads one bundle file and returns its bytes only once they hash to `file.sha256` and have
 * `file.size` bytes; otherwise it throws `HASH_MISMATCH` (status 0: the client's own check). A
 * body that breaks off is resumed with `Range: bytes=<received>-`, keeping what arrived; the
 * incremental hash simply continues, so nothing is read twice.
 *
 * @example
 * const bytes = await downloadVerifiedFile(preview, { path: "App.tsx", sha256, size, content_type });
 */
export async function downloadVerifiedFile(
  target: PreviewTarget,
  file: Pick<ManifestFile, "path" | "sha256" | "size">,
  options: DownloadFileOptions = {},
): Promise<Uint8Array> {
  const { signal } = options;
  const maxResumes = options.maxResumes ?? 5;
  const sleep = options.sleep ?? abortableSleep;
  let hash = new Sha256();
  let chunks: Uint8Array[] = [];
  let received = 0;
  let resumes = 0;

  const take = (chunk: Uint8Array) => {
    if (received + chunk.length > file.size) throw mismatch(file, received + chunk.length, null);
    hash.update(chunk);
    chunks.push(chunk);
    received += chunk.length;
    options.onBytes?.(chunk.length);
  };

  for (;;) {
    const { response, offset } = await target.client.previews.bundleFile(target.sessionId, file.sha256, {
      offset: received,
      auth: target.auth,
      signal,
    });
    if (offset !== received) {
      // The server sent the file from the start (a 200 to our Range request): begin again.
      options.onBytes?.(-received);
      hash = new Sha256();
      chunks = [];
      received = 0;
    }
    try {
      await readBody(response, take);
      break; // a body that ends early shows up as a size mismatch below
    } catch (error) {
      throwIfAborted(signal);
      if (error instanceof HiveSyncError) throw error;
      if (received >= file.size) break;
      resumes++;
      if (resumes > maxResumes) {
        throw new HiveSyncError({
          status: 0,
          code: "NETWORK_ERROR",
          message: `The download of ${file.path} broke off ${resumes} times; giving up.`,
          details: { path: file.path, received, size: file.size },
          cause: error,
        });
      }
      await sleep(backoffDelayMs(resumes, DEFAULT_RETRY), signal);
    }
  }

  const actual = hash.hex();
  if (received !== file.size || actual !== file.sha256) throw mismatch(file, received, actual);
  return concat(chunks, received);
}

/** Feeds a response body to `take` chunk by chunk (whole, where the runtime cannot stream). */
async function readBody(response: Response, take: (chunk: Uint8Array) => void): Promise<void> {
  if (!response.body) {
    // React Native's fetch has no streaming bodies.
    take(new Uint8Array(await response.arrayBuffer()));
    return;
  }
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      take(value);
    }
  } catch (error) {
    reader.cancel().catch(() => {});
    throw error;
  }
}

function mismatch(file: Pick<ManifestFile, "path" | "sha256" | "size">, size: number, actual: string | null) {
  return new HiveSyncError({
    status: 0,
    code: "HASH_MISMATCH",
    message:
      size !== file.size
        ? `${file.path}: received ${size} bytes, expected ${file.size}; the file was rejected.`
        : `${file.path}: the bytes received do not hash to ${file.sha256}; the file was rejected.`,
    details: {
      path: file.path,
      expected_sha256: file.sha256,
      actual_sha256: actual,
      expected_size: file.size,
      size,
    },
  });
}

function concat(chunks: readonly Uint8Array[], length: number): Uint8Array {
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const out = new Uint8Array(length);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}
