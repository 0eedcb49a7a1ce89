// @hivesync mobile client: link a phone, open previews, download bundles into a local cache. No
// Node APIs here (it runs in React Native and browsers); Node-only pieces live in ./node.
export * from "../../core/src";
export { type BlobStore, MemoryBlobStore } from "./blob-store";
export { type DownloadFileOptions, downloadVerifiedFile } from "./download-file";
export {
  type BundleProgress,
  type FetchBundleOptions,
  type FetchBundleResult,
  fetchBundle,
  type TreeWriter,
} from "./fetch-bundle";
export { linkWithCode } from "./link";
export { PreviewHandle } from "./preview-handle";
export { PreviewSession } from "./preview-session";
export type { PreviewTarget } from "./preview-target";
export { checkCode, previewLink, ResolvedPreview, resolvePreview } from "./resolve-preview";
