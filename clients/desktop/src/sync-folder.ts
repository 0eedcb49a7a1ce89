import {
  type HiveSyncClient,
  isHiveSyncError,
  type MirrorChange,
  mapWithConcurrency,
  type Progress,
  progressCounter,
} from "../../core/src";
import { applyChanges, diffAgainstMirror, type FileVersion, MAX_CHANGES_PER_COMMIT } from "./change-set";
import { expoPublicEnvFile } from "./expo-public-env";
import { HashCache, type HashCacheOptions } from "./hash-cache";
import { hashFile } from "./hash-file";
import {
  currentMirror,
  loadMirrorSnapshot,
  type MirrorState,
  readMirror,
  saveMirrorSnapshot,
} from "./mirror-state";
import { compileWithReactCompiler, REACT_COMPILER_MIRROR_DIR } from "./react-compiler";
import { compileTailwindStylesheets, TAILWIND_MIRROR_DIR } from "./tailwind-css";
import { type BlobSource, uploadBlobs } from "./upload-blobs";
import { type ExcludedFile, type WalkOptions, walkFolder } from "./walk";

/** Where a sync is. */
export type SyncPhase = "scanning" | "hashing" | "comparing" | "uploading" | "committing" | "done";

/**
 * Progress of a sync. `files_*`/`bytes_*` count what the current phase works through: the files
 * read while hashing (new and changed ones; the hash cache vouches for the rest), the blobs sent
 * while uploading (a batch's blobs count when its answer arrives).
 */
export type SyncProgress = Progress<SyncPhase>;

/** How {@link syncFolder} syncs. */
export type SyncFolderOptions = WalkOptions & {
  onProgress?: (progress: SyncProgress) => void;
  /** Files hashed and upload requests (batches, large files) in flight at once (default 4). */
  concurrency?: number;
  /**
   * Whether the sync remembers what it saw in `<dir>/.hivesync/` (default true): every file's hash
   * (`hashes.json`, so a file whose size, mtime, ctime and inode are unchanged is not read again)
   * and the mirror it left (`mirror.json`, so an unchanged project is not listed again). `false`
   * reads every file and lists the mirror each time, and writes nothing into the folder. The
   * object form keeps the cache and sets its clock (tests).
   */
  cache?: boolean | HashCacheOptions;
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
  /** Files read and hashed; the others' hashes came from the cache (0 when nothing changed). */
  hashed_files: number;
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
 * `.hivesyncignore` and the built-in ignores), hashes the files that changed since the last sync
 * (streaming SHA-256; the others' hashes come from `.hivesync/hashes.json`), compares with the
 * server's mirror, uploads only the blobs the server lacks (small files in batches, large ones
 * alone, bounded concurrency), then commits one change set against the mirror's current revision:
 * puts for new and changed files, deletes for removed ones. A `REVISION_CONFLICT` (someone else
 * committed meanwhile) re-reads the mirror and retries once.
 *
 * An unchanged folder reads no file, uploads nothing and commits nothing: its whole conversation
 * with the server is one `GET /mirror` confirming the revision it left (`.hivesync/mirror.json`).
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

  const useCache = options.cache !== false;
  const cache = useCache
    ? await HashCache.load(dir, typeof options.cache === "object" ? options.cache : {})
    : null;
  progressCounter("scanning", 0, 0, options.onProgress);
  const walked = await walkFolder(dir, options);
  const { withheld } = walked;
  // What the desktop makes for the build: the withheld .env files' EXPO_PUBLIC_ values (Expo
  // ships them in the app itself anyway) and the app's Tailwind stylesheets, compiled.
  const publicEnv = await expoPublicEnvFile(dir);
  const tailwind = await compileTailwindStylesheets(dir, walked.files);
  const compiler = await compileWithReactCompiler(dir, walked.files);
  const files = [...walked.files, ...(publicEnv ? [publicEnv] : []), ...tailwind.files, ...compiler.files];
  const excluded = [
    ...walked.excluded,
    // What the build will not get, said as the push prints it: "Skipped <path>: <reason>."
    ...tailwind.failed.map((f) => ({
      path: `${TAILWIND_MIRROR_DIR}/${f.path}`,
      reason: `${f.path} was not compiled with Tailwind (${f.reason}); the app runs without its styles`,
    })),
    ...compiler.failed.map((f) => ({
      path: f.path === "" ? REACT_COMPILER_MIRROR_DIR : `${REACT_COMPILER_MIRROR_DIR}/${f.path}`,
      reason:
        f.path === ""
          ? `${f.reason}; the preview runs without the React Compiler`
          : `the React Compiler could not compile ${f.path} (${f.reason}); it runs as written`,
    })),
  ];

  const local = new Map<string, FileVersion>();
  const toHash = files.filter((file) => {
    const cached = cache?.get(file);
    if (cached) local.set(file.path, cached);
    return !cached;
  });
  const hashing = progressCounter(
    "hashing",
    toHash.length,
    toHash.reduce((sum, f) => sum + f.size, 0),
    options.onProgress,
  );
  await mapWithConcurrency(
    toHash,
    concurrency,
    async (file) => {
      const hashed = await hashFile(file.absolutePath, signal);
      cache?.set(file, hashed);
      local.set(file.path, hashed);
      hashing.fileDone(file.path, hashed.size);
    },
    signal,
  );
  await cache?.save();
  const sourceOf = new Map<string, BlobSource>();
  for (const file of files) {
    const version = local.get(file.path) as FileVersion;
    if (!sourceOf.has(version.sha256)) sourceOf.set(version.sha256, { ...file, ...version });
  }

  const bytesTotal = files.reduce((sum, f) => sum + f.size, 0);
  progressCounter("comparing", files.length, bytesTotal, options.onProgress);
  const snapshot = useCache ? await loadMirrorSnapshot(dir, projectId) : null;
  let mirror: MirrorState = await currentMirror(client, projectId, snapshot, { signal });

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
    try {
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
    } catch (error) {
      // A file edited after it was hashed (or a cached hash gone stale): hash it afresh next time.
      if (isHiveSyncError(error, "FILE_CHANGED") && cache) {
        cache.forget(String(error.details.path));
        await cache.save();
      }
      throw error;
    }
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

  // Remember the mirror as this sync leaves it, unless it is the snapshot that was confirmed.
  if (useCache && mirror !== snapshot) await saveMirrorSnapshot(dir, projectId, mirror);

  const uploadedPaths = files.filter((f) => uploaded.has((local.get(f.path) as FileVersion).sha256)).length;
  const result: SyncFolderResult = {
    project_id: projectId,
    revision: mirror.revision,
    files: files.length,
    hashed_files: toHash.length,
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
