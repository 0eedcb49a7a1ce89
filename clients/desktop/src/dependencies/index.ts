// The app's own dependencies (docs/previews.md §4): scan the app's imports, pre-bundle the packages
// from node_modules, upload and record them for the preview build.
export { type AppLayout, appLayout, localTarget, reachedImports } from "./app-graph";
export { BUNDLE_FORMAT, type BundledModule, BundleError, bundleDependency, packageLookup } from "./bundle";
export { BundleCache } from "./bundle-cache";
export { IMPORTS_CACHE_FILE, ImportsCache } from "./imports-cache";
export { metroSubpathFile } from "./metro-subpath";
export { findPackage, type InstalledPackage, installCommand, packagesToInstall } from "./packages";
export {
  EMPTY_BUILTIN_VERSION,
  type PreparedDependencies,
  type PreparedModule,
  prepareDependencies,
} from "./prepare";
export { isRuntimeProvided, RUNTIME_PACKAGES } from "./runtime-names";
export {
  type FileImports,
  packageSpecifiers,
  SOURCE_EXTENSIONS,
  scanFileImports,
  scanImports,
} from "./scan-imports";
export {
  type AppImportsScan,
  appImports,
  describeDependencies,
  type SyncDependenciesOptions,
  type SyncDependenciesResult,
  scanAppImports,
  syncDependencies,
} from "./sync-dependencies";
