import { mkdir, readFile, rm, rmdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { forgetSyncState } from "../../desktop/src";
import type { CommandContext } from "./context";

type ProjectLink = { project_id: string; api: string };

/**
 * The project a folder is linked to, kept in `<dir>/.hivesync/project.json` (never synced). The
 * first `push` or `preview` of a folder creates a project named after it.
 *
 * @example
 * const projectId = await projectForFolder(ctx, "./examples/hello-app", undefined);
 */
export async function projectForFolder(
  ctx: CommandContext,
  dir: string,
  override: string | undefined,
): Promise<{ projectId: string; created: boolean }> {
  if (override) return { projectId: override, created: false };
  const file = path.join(dir, ".hivesync", "project.json");
  try {
    const link = JSON.parse(await readFile(file, "utf8")) as Partial<ProjectLink>;
    if (link.project_id && (link.api ?? ctx.api) === ctx.api)
      return { projectId: link.project_id, created: false };
  } catch {
    // not linked yet
  }
  const name = path.basename(path.resolve(dir)).slice(0, 100) || "project";
  const framework = await guessFramework(dir);
  const project = await ctx.client.projects.create({ name, framework, ...(await guessEntry(dir)) });
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(
    file,
    `${JSON.stringify({ project_id: project.id, api: ctx.api } satisfies ProjectLink, null, 2)}\n`,
  );
  return { projectId: project.id, created: true };
}

/**
 * The linked project of `dir` or of the nearest folder above it, with that folder (the mirror's
 * root); null when none is linked. It never creates a project.
 *
 * @example
 * const linked = await findLinkedProject(ctx, process.cwd()); // from inside src/, finds the app root
 */
export async function findLinkedProject(
  ctx: CommandContext,
  dir: string,
): Promise<{ projectId: string; root: string } | null> {
  let current = path.resolve(dir);
  for (;;) {
    try {
      const link = JSON.parse(
        await readFile(path.join(current, ".hivesync", "project.json"), "utf8"),
      ) as Partial<ProjectLink>;
      if (link.project_id && (link.api ?? ctx.api) === ctx.api)
        return { projectId: link.project_id, root: current };
    } catch {
      // not linked here
    }
    const parent = path.dirname(current);
    if (parent === current) return null;
    current = parent;
  }
}

/**
 * Removes the link of folder `root` (`.hivesync/project.json` with what its pushes remembered:
 * file hashes and the mirror snapshot; `.hivesync/` itself when that leaves it empty) and returns
 * `root`; after `projects delete` the next push creates a new project.
 *
 * @example
 * await unlinkFolder("/home/ana/hello-app");
 */
export async function unlinkFolder(root: string): Promise<string> {
  await rm(path.join(root, ".hivesync", "project.json"), { force: true });
  await forgetSyncState(root);
  await rmdir(path.join(root, ".hivesync")).catch(() => {});
  return root;
}

async function readPackageJson(dir: string): Promise<Record<string, unknown> | null> {
  try {
    return JSON.parse(await readFile(path.join(dir, "package.json"), "utf8")) as Record<string, unknown>;
  } catch {
    return null;
  }
}

async function guessFramework(dir: string): Promise<"expo" | "react-native" | "web" | "other"> {
  const pkg = await readPackageJson(dir);
  const deps = {
    ...(pkg?.dependencies as object | undefined),
    ...(pkg?.devDependencies as object | undefined),
  };
  if ("expo" in deps) return "expo";
  if ("react-native" in deps) return "react-native";
  if (pkg) return "web";
  return "other";
}

async function guessEntry(dir: string): Promise<{ entry?: string }> {
  const pkg = await readPackageJson(dir);
  const main = typeof pkg?.main === "string" ? pkg.main.replace(/^\.\//, "") : undefined;
  for (const candidate of [main, "App.tsx", "App.js", "index.js", "index.html"]) {
    if (!candidate) continue;
    try {
      await readFile(path.join(dir, candidate));
      return { entry: candidate };
    } catch {
      // try the next
    }
  }
  return {};
}
