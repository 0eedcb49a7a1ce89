// Node-only parts of the mobile client (a CLI or an Electron "phone side"): kept out of the main
// entry so React Native and browser bundles never pull in node:fs.
export { writeBundleFolder } from "./bundle-folder";
export { type BundleTreeResult, WRITTEN_RECORD, writeBundleTree } from "./bundle-tree";
export { directoryWriter, movingWriter } from "./directory-writer";
export { FileSystemBlobStore, writeAtomically } from "./file-system-blob-store";
