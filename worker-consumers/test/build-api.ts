// vitest globalSetup of the worker-consumers project: bundles worker-api for the auxiliary Worker.
import { execFileSync } from "node:child_process";
import path from "node:path";

export default function setup(): void {
  const root = path.resolve(import.meta.dirname, "../..");
  execFileSync(
    "npx",
    ["wrangler", "deploy", "--dry-run", "--outdir", path.join(root, "dist/test-api"), "-c", "wrangler.toml"],
    { cwd: root, stdio: "ignore", env: { ...process.env, WRANGLER_SEND_METRICS: "false" } },
  );
}
