import {
  type BundleManifest,
  HiveSyncError,
  type ManifestFile,
  mapWithConcurrency,
  type Progress,
  progressCounter,
  Sha256,
  throwIfAborted,
} from "../../core/src";
import { type BlobStore, MemoryBlobStore } from "./blob-store";
import { downloadVerifiedFile } from "./download-file";
import type { PreviewTarget } from "./preview-target";

/** Where a bundle download is. `files_*`/`bytes_*` count the blobs to download. */
export type BundleProgress = Progress<"manifest" | "downloading" | "writing" | "done">;

/**
 * Somewhere to lay the bundle's files out by path (a directory, an app sandbox). Node's is
 * `directoryWriter(dir)` from `clients/mobile/src/node`.
 *
 * @example
 * const writer: TreeWriter = { write: async (path, bytes) => files.set(path, bytes) };
 */
export interface TreeWriter {
  write(path: string, bytes: Uint8Array): Promise<void>;
}

/** How {@link fetchBundle} downloads. */
export type FetchBundleOptions = {
  /** The local blob cache (default: a fresh in-memory one, i.e. no reuse). */
  store?: BlobStore;
  /** Files downloaded at once (default 4). */
  concurrency?: number;
  onProgress?: (progress: BundleProgress) => void;
  signal?: AbortSignal;
  /** Also write every file to this tree once all are verified. */
  writer?: TreeWriter;
  /** Broken transfers resumed per file before giving up (default 5). */
  maxResumes?: number;
  /** Re-hash blobs taken from the store and re-download any that went bad (default true). */
  verifyCached?: boolean;
  /** The manifest's expected SHA-256 (default: the status's `bundle.manifest_sha256`, else the etag). */
  expectedManifestSha256?: string;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
};

/** What {@link fetchBundle} got. Counts are of distinct contents (blobs), not of paths. */
export type FetchBundleResult = {
  manifest: BundleManifest;
  manifest_sha256: string;
  /** Every file of the bundle by path. */
  files: Map<string, Uint8Array>;
  downloaded_files: number;
  downloaded_bytes: number;
  reused_files: number;
};

/**
 * Downloads a ready preview's bundle: the manifest, then only the files whose hashes are not in
 * the local {@link BlobStore}, with bounded concurrency. Every file is verified (SHA-256 and size)
 * before it is accepted and stored — a mismatch rejects with `HASH_MISMATCH` and is never stored
 * — and a transfer that breaks off resumes with HTTP Range. Opening the bundle again after a
 * one-file change downloads that one file plus the manifest.
 *
 * @example
 * const preview = await resolvePreview(client, "WDJB-MJHT");
 * await preview.waitUntilReady();
 * const { files, downloaded_files, reused_files } = await fetchBundle(preview, {
 *   store: new FileSystemBlobStore(cacheDir),
 *   onProgress: (p) => console.log(p.phase, p.bytes_done, "/", p.bytes_total),
 * });
 */
export async function fetchBundle(
  target: PreviewTarget,
  options: FetchBundleOptions = {},
): Promise<FetchBundleResult> {
  const { signal } = options;
  const store = options.store ?? new MemoryBlobStore();
  const verifyCached = options.verifyCached ?? true;

  progressCounter("manifest", 0, 0, options.onProgress);
  const {
    manifest,
    sha256: manifestSha,
    announced_sha256,
  } = await target.client.previews.bundle(target.sessionId, {
    auth: target.auth,
    signal,
  });
  const expected =
    options.expectedManifestSha256 ??
    target.lastStatus?.bundle?.manifest_sha256 ??
    announced_sha256 ??
    manifestSha;
  if (expected !== manifestSha) {
    throw new HiveSyncError({
      status: 0,
      code: "HASH_MISMATCH",
      message: "The bundle manifest does not hash to the SHA-256 the server announced; it was rejected.",
      details: { path: "(manifest)", expected_sha256: expected, actual_sha256: manifestSha },
    });
  }

  // One entry per distinct content: two paths with the same bytes cost one download.
  const blobs = new Map<string, ManifestFile>();
  for (const file of manifest.files) if (!blobs.has(file.sha256)) blobs.set(file.sha256, file);

  const contents = new Map<string, Uint8Array>();
  const toDownload: ManifestFile[] = [];
  for (const file of blobs.values()) {
    throwIfAborted(signal);
    const cached = (await store.has(file.sha256)) ? await store.get(file.sha256) : null;
    if (cached && (!verifyCached || isIntact(cached, file))) contents.set(file.sha256, cached);
    else toDownload.push(file);
  }
  const reused = contents.size;

  const bytesTotal = toDownload.reduce((sum, f) => sum + f.size, 0);
  const downloading = progressCounter("downloading", toDownload.length, bytesTotal, options.onProgress);
  await mapWithConcurrency(
    toDownload,
    options.concurrency ?? 4,
    async (file) => {
      const bytes = await downloadVerifiedFile(target, file, {
        signal,
        maxResumes: options.maxResumes,
        sleep: options.sleep,
        onBytes: (delta) => downloading.addBytes(delta),
      });
      await store.put(file.sha256, bytes);
      contents.set(file.sha256, bytes);
      downloading.fileDone(file.path);
    },
    signal,
  );

  const files = new Map<string, Uint8Array>();
  for (const file of manifest.files) files.set(file.path, contents.get(file.sha256) as Uint8Array);

  if (options.writer) {
    const writing = progressCounter("writing", files.size, manifest.total_bytes, options.onProgress);
    for (const [path, bytes] of files) {
      throwIfAborted(signal);
      await options.writer.write(path, bytes);
      writing.fileDone(path, bytes.length);
    }
  }
  options.onProgress?.({
    phase: "done",
    files_done: toDownload.length,
    files_total: toDownload.length,
    bytes_done: bytesTotal,
    bytes_total: bytesTotal,
  });
  return {
    manifest,
    manifest_sha256: manifestSha,
    files,
    downloaded_files: toDownload.length,
    downloaded_bytes: bytesTotal,
    reused_files: reused,
  };
}

function isIntact(bytes: Uint8Array, file: ManifestFile): boolean {
  return bytes.length === file.size && new Sha256().update(bytes).hex() === file.sha256;
}
