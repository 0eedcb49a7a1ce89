// The preview runtime (runtime/, built by runtime/build.mjs on install, dev, build and test): the
// core and the shell inside the Worker bundle (runtime/dist/index.js imports their scripts as
// text, wrangler.toml [[rules]]); the SDK chunks and package assets are static assets
// (wrangler.toml [assets]). The core runs in a preview's frame on its preview origin, the shell on
// the API's origin (docs/architecture.md "Two origins").
export { RUNTIME_SCRIPT, SHELL_SCRIPT } from "../../../runtime/dist/index.js";
export { RUNTIME_HASH, RUNTIME_URL, SHELL_HASH, SHELL_URL } from "../../../runtime/dist/meta.js";
