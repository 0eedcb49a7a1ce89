import { defineConfig } from "vitest/config";

// The preview runtime's tests: plain Node (unit tests) and headless Chromium (page tests). The
// root vitest.config.ts can list this file as a project as is.
export default defineConfig({
  // Beside the repository's other caches, not in a runtime/node_modules of its own.
  cacheDir: "../node_modules/.vite/runtime",
  test: {
    name: "runtime",
    root: import.meta.dirname,
    environment: "node",
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 90_000,
  },
});
