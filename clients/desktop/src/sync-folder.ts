import {
  type HiveSyncClient,
  isHiveSyncError,
  type MirrorChange,
  mapWithConcurrency,
  type Progress,
  progressCounter,
} from "../../core/src";
import { applyChanges, diffAgainstMirror, type FileVersion, MAX_CHANGES_PER_COMMIT } from "./change-set";
import { hashFile } from "./hash-file";
import { type MirrorState, readMirror } from "./mirror-state";
import { type BlobSource, uploadBlobs } from "./upload-blobs";
import { type ExcludedFile, type WalkOptions, walkFolder } from "./walk";

/** Where a sync is. */
export type SyncPhase = "scanning" | "hashing" | "comparing" | "uploading" | "committing" | "done";

/**
 * Progress of a sync. `files_*`/`bytes_*` count what the current phase works through: all files
 * while hashing, the blobs to send while uploading.
 */
export type SyncProgress = Progress<SyncPhase>;

/** How {@link syncFolder} syncs. */
export type SyncFolderOptions = WalkOptions & {
  onProgress?: (progress: SyncProgress) => void;
  /** Files hashed and blobs uploaded at once (default 4). */
  concurrency?: number;
  /** Recorded with the revision. */
  message?: string;
  branch?: string;
  commit?: string;
};

/** What a sync did. */
export type SyncFolderResult = {
  project_id: string;
  /** The mirror's revision after the sync (unchanged when nothing was committed). */
  revision: number;
  /** Files in the folder that are mirrored (after ignores and exclusions). */
  files: number;
  /** Blobs sent (files with identical content are sent once). */
  uploaded_files: number;
  uploaded_bytes: number;
  /** Files whose content the server already had, so nothing was sent for them. */
  skipped_files: number;
  /** Whether a new revision was committed. */
  committed: boolean;
  /** The repo-sync job of the (last) committed revision. */
  sync_id?: string;
  /** Puts and deletes committed. */
  changes: { put: number; delete: number };
  /** Files that are not ignored but could not be synced, and why. */
  excluded: ExcludedFile[];
  /** Files left out only because they look like secrets (`.env`, `*.pem`, …); see `walkFolder`. */
  withheld: string[];
};

/**
 * Mirrors folder `dir` into project `projectId`: walks it (honouring `.gitignore`,
 * `.hivesyncignore` and the built-in ignores), hashes every file (streaming SHA-256), compares
 * with the server's mirror, uploads only the blobs the server lacks (bounded concurrency), then
 * commits one change set against the mirror's current revision: puts for new and changed files,
 * deletes for removed ones. A `REVISION_CONFLICT` (someone else committed meanwhile) re-reads the
 * mirror and retries once. An unchanged folder uploads nothing and commits nothing.
 *
 * (More than 1,000 changes do not fit one commit; they go in consecutive commits of ≤ 1,000.)
 *
 * @example
 * const result = await syncFolder(client, projectId, "/home/ada/hello-app", {
 *   onProgress: (p) => console.log(p.phase, p.files_done, "/", p.files_total),
 * });
 * console.log(result.committed ? `revision ${result.revision}` : "already up to date");
 */
export async function syncFolder(
  client: HiveSyncClient,
  projectId: string,
  dir: string,
  options: SyncFolderOptions = {},
): Promise<SyncFolderResult> {
  const { signal } = options;
  const concurrency = options.concurrency ?? 4;

  progressCounter("scanning", 0, 0, options.onProgress);
  const { files, excluded, withheld } = await walkFolder(dir, options);

  const bytesTotal = files.reduce((sum, f) => sum + f.size, 0);
  const hashing = progressCounter("hashing", files.length, bytesTotal, options.onProgress);
  const hashes = await mapWithConcurrency(
    files,
    concurrency,
    async (file) => {
      const hashed = await hashFile(file.absolutePath, signal);
      hashing.fileDone(file.path, hashed.size);
      return hashed;
    },
    signal,
  );
  const local = new Map<string, FileVersion>();
  const sourceOf = new Map<string, BlobSource>();
  files.forEach((file, i) => {
    const version = hashes[i] as FileVersion;
    local.set(file.path, version);
    if (!sourceOf.has(version.sha256))
      sourceOf.set(version.sha256, { ...version, ...file, size: version.size });
  });

  progressCounter("comparing", files.length, bytesTotal, options.onProgress);
  let mirror: MirrorState = await readMirror(client, projectId, { signal });

  const onServer = new Set<string>();
  const uploaded = new Set<string>();
  let uploadedBytes = 0;
  const ensureBlobs = async (changes: readonly MirrorChange[]) => {
    const needed = [
      ...new Set(changes.flatMap((c) => (c.op === "put" && !onServer.has(c.sha256) ? [c.sha256] : []))),
    ];
    if (needed.length === 0) return;
    const missing = new Set(await client.blobs.missing(projectId, needed, { signal }));
    for (const hash of needed) if (!missing.has(hash)) onServer.add(hash);
    const blobs = needed.filter((h) => missing.has(h)).map((h) => sourceOf.get(h) as BlobSource);
    const uploading = progressCounter(
      "uploading",
      blobs.length,
      blobs.reduce((sum, b) => sum + b.size, 0),
      options.onProgress,
    );
    await uploadBlobs(client, projectId, blobs, {
      concurrency,
      signal,
      onUploaded: (blob) => {
        onServer.add(blob.sha256);
        uploaded.add(blob.sha256);
        uploadedBytes += blob.size;
        uploading.fileDone(blob.path, blob.size);
      },
    });
  };

  let committed = false;
  let syncId: string | undefined;
  let conflictRetries = 1;
  const counts = { put: 0, delete: 0 };
  for (;;) {
    const changes = diffAgainstMirror(local, mirror.files);
    if (changes.length === 0) break;
    await ensureBlobs(changes);
    const batch = changes.slice(0, MAX_CHANGES_PER_COMMIT);
    progressCounter("committing", batch.length, 0, options.onProgress);
    try {
      const result = await client.mirror.commit(
        projectId,
        {
          base_revision: mirror.revision,
          changes: batch,
          ...(options.message ? { message: options.message } : {}),
          ...(options.branch ? { branch: options.branch } : {}),
          ...(options.commit ? { commit: options.commit } : {}),
        },
        { signal },
      );
      committed = true;
      syncId = result.sync_id;
      for (const change of batch) counts[change.op]++;
      mirror = { revision: result.revision, files: applyChanges(mirror.files, batch) };
    } catch (error) {
      if (!isHiveSyncError(error, "REVISION_CONFLICT") || conflictRetries <= 0) throw error;
      conflictRetries--;
      mirror = await readMirror(client, projectId, { signal });
    }
  }

  const uploadedPaths = files.filter((f) => uploaded.has((local.get(f.path) as FileVersion).sha256)).length;
  const result: SyncFolderResult = {
    project_id: projectId,
    revision: mirror.revision,
    files: files.length,
    uploaded_files: uploaded.size,
    uploaded_bytes: uploadedBytes,
    skipped_files: files.length - uploadedPaths,
    committed,
    ...(syncId ? { sync_id: syncId } : {}),
    changes: counts,
    excluded,
    withheld,
  };
  options.onProgress?.({
    phase: "done",
    files_done: files.length,
    files_total: files.length,
    bytes_done: uploadedBytes,
    bytes_total: uploadedBytes,
  });
  return result;
}
