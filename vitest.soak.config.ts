import { defineConfig } from "vitest/config";

// `npm run test:soak`: the soak test against a local stack whose consumers inject faults.
export default defineConfig({
  test: {
    name: "soak",
    environment: "node",
    include: ["clients/e2e/**/*.soak.test.ts"],
    globalSetup: ["./clients/e2e/soak-setup.ts"],
    testTimeout: 600_000,
    hookTimeout: 180_000,
  },
});
