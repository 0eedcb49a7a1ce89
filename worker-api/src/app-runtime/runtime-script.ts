// The preview runtime (runtime/, built by runtime/build.mjs on install, dev, build and test) inside
// the Worker bundle: runtime/dist/index.js imports its script as text (wrangler.toml [[rules]]),
// meta.js holds its hash and set, so serving it needs no R2 read and no CDN.
export { RUNTIME_SCRIPT } from "../../../runtime/dist/index.js";
export { RUNTIME_HASH, RUNTIME_MODULES, RUNTIME_PACKAGES, RUNTIME_URL } from "../../../runtime/dist/meta.js";
