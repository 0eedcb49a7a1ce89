// A copy of the sources both targets are built from, taken once at the start of a run. In a
// shared checkout `wrangler dev` rebuilds on every save (five reloads in 90 s were measured while
// others worked), which stalls a load test for seconds and leaves the two targets running
// different code; a snapshot keeps the whole run on one version of the Workers.
import { cp, mkdtemp, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "../..");
// Never copied: dependencies (linked instead), git, build output, local state, past results.
const SKIP_ANYWHERE = new Set(["node_modules", ".git", ".wrangler"]);
const SKIP_AT_ROOT = new Set(["dist", "coverage", path.join("bench", "results")]);

export type Snapshot = { root: string; remove: () => Promise<void> };

export async function snapshotSources(): Promise<Snapshot> {
  const root = await mkdtemp(path.join(tmpdir(), "hivesync-bench-src-"));
  await cp(ROOT, root, {
    recursive: true,
    filter: (source) => {
      const rel = path.relative(ROOT, source);
      return !rel.split(path.sep).some((part) => SKIP_ANYWHERE.has(part)) && !SKIP_AT_ROOT.has(rel);
    },
  });
  await symlink(path.join(ROOT, "node_modules"), path.join(root, "node_modules"), "dir");
  return { root, remove: () => rm(root, { recursive: true, force: true }) };
}
