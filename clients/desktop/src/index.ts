// @hivesync desktop client: folder sync, the app's pre-bundled dependencies, previews, device linking and
// notifications on top of the core client. Uses Node APIs (node:fs, node:crypto); everything from
// the core is re-exported.
export * from "../../core/src";
export { applyChanges, diffAgainstMirror, type FileVersion, MAX_CHANGES_PER_COMMIT } from "./change-set";
export {
  type AppImportsScan,
  appImports,
  BUNDLE_FORMAT,
  BundleCache,
  type BundledModule,
  BundleError,
  bundleDependency,
  describeDependencies,
  findPackage,
  IMPORTS_CACHE_FILE,
  ImportsCache,
  type InstalledPackage,
  isRuntimeProvided,
  type PreparedDependencies,
  type PreparedModule,
  packageLookup,
  packageSpecifiers,
  prepareDependencies,
  RUNTIME_PACKAGES,
  SOURCE_EXTENSIONS,
  type SyncDependenciesOptions,
  type SyncDependenciesResult,
  scanAppImports,
  scanImports,
  syncDependencies,
} from "./dependencies";
export { linkDevice } from "./devices";
export {
  changedTooRecently,
  type FileStat,
  HASH_CACHE_FILE,
  HashCache,
  type HashCacheOptions,
  isStatTuple,
  racyWindowMs,
  type StatTuple,
  SYNC_STATE_DIR,
  statTuple,
  unchangedSince,
  writeAtomically,
} from "./hash-cache";
export { hashFile } from "./hash-file";
export {
  ALWAYS_IGNORED_DIRECTORIES,
  DEFAULT_IGNORE_PATTERNS,
  IGNORE_FILE_NAMES,
  IgnoreRules,
  SECRET_IGNORE_PATTERNS,
} from "./ignore-rules";
export {
  currentMirror,
  forgetSyncState,
  loadMirrorSnapshot,
  MIRROR_SNAPSHOT_FILE,
  type MirrorState,
  readMirror,
  saveMirrorSnapshot,
} from "./mirror-state";
export { getPreviewBundle, startPreview, type WatchPreviewOptions, watchPreview } from "./previews";
export {
  type SyncFolderOptions,
  type SyncFolderResult,
  type SyncPhase,
  type SyncProgress,
  syncFolder,
} from "./sync-folder";
export {
  type BatchLimits,
  type BlobSource,
  LARGE_BLOB_BYTES,
  type PackedBlobs,
  packBlobs,
  type UploadBlobsOptions,
  uploadBlobs,
} from "./upload-blobs";
export {
  DEFAULT_MAX_FILE_BYTES,
  type ExcludedFile,
  type LocalFile,
  type WalkOptions,
  type WalkResult,
  walkFolder,
} from "./walk";
export { type FolderWatcher, type WatchFolderOptions, type WatchMode, watchFolder } from "./watch-folder";
