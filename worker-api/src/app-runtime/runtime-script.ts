// The preview runtime (runtime/, built by runtime/build.mjs on install, dev, build and test): the
// core inside the Worker bundle (runtime/dist/index.js imports its script as text, wrangler.toml
// [[rules]]); the SDK chunks and package assets are static assets (wrangler.toml [assets]).
export { RUNTIME_SCRIPT } from "../../../runtime/dist/index.js";
export { RUNTIME_HASH, RUNTIME_URL } from "../../../runtime/dist/meta.js";
