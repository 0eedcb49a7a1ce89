/** The preview build's transform and module graph (docs/previews.md §1, §2, §5): pure, no bindings. */
export { codeFrame } from "./code-frame";
export { assetModule, jsonModule } from "./data-modules";
export { APP_ENTRY_PATH, type Entry, findEntry, PACKAGE_MAIN_PATH } from "./entry";
export { type BuildGraphOptions, type BuildGraphResult, buildModuleGraph, MAX_ERRORS } from "./graph";
export { moduleKey, moduleUrl } from "./keys";
export { type Resolution, resolveSpecifier } from "./resolve";
export { TRANSFORM_VERSION, transformModule } from "./transform";
export type {
  AppGraph,
  BuildError,
  Dependencies,
  DependencyModule,
  ModuleEntry,
  SourceFile,
  Specifier,
} from "./types";
