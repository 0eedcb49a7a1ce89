// vitest globalSetup of the worker-consumers project: bundles worker-api for the auxiliary Worker and
// provides the bundle's module list (vitest.config.ts reads it with `inject("apiModules")`).
import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import path from "node:path";
import type { V4ModuleRuleType } from "miniflare";
import type { TestProject } from "vitest/node";

/** A module of the bundle, in Miniflare's terms (its name is its path relative to the bundle's folder). */
export type BundleModule = { type: V4ModuleRuleType; path: string };

declare module "vitest" {
  export interface ProvidedContext {
    apiModules: BundleModule[];
  }
}

const root = path.resolve(import.meta.dirname, "../..");
export const API_BUNDLE_DIR = path.join(root, "dist/test-api");

export default async function setup(project: TestProject): Promise<void> {
  execFileSync(
    "npx",
    ["wrangler", "deploy", "--dry-run", "--outdir", API_BUNDLE_DIR, "-c", "wrangler.toml"],
    {
      cwd: root,
      stdio: "ignore",
      env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
    },
  );
  project.provide("apiModules", await bundleModules());
}

/**
 * The entry plus every file wrangler copied beside it under the path it is imported by: those
 * matching wrangler.toml's [[rules]] (e.g. Text modules), which Miniflare must be given one by one.
 */
async function bundleModules(): Promise<BundleModule[]> {
  // Loaded here, not at the top: vitest.config.ts imports this file for API_BUNDLE_DIR.
  const { unstable_readConfig } = await import("wrangler");
  const config = unstable_readConfig({ config: path.join(root, "wrangler.toml") }, { hideWarnings: true });
  const rules = (config.rules ?? []) as { type: V4ModuleRuleType; globs: string[] }[];
  const files = readdirSync(API_BUNDLE_DIR, { recursive: true, encoding: "utf8" }).map((file) =>
    file.split(path.sep).join("/"),
  );
  const modules: BundleModule[] = [{ type: "ESModule", path: path.join(API_BUNDLE_DIR, "index.js") }];
  for (const file of files) {
    const rule = rules.find((r) => r.globs.some((glob) => path.matchesGlob(file, glob)));
    if (rule) modules.push({ type: rule.type, path: path.join(API_BUNDLE_DIR, file) });
  }
  return modules;
}
