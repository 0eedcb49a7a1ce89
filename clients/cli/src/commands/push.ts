import { stat } from "node:fs/promises";
import path from "node:path";
import { type SyncFolderResult, type SyncProgress, syncFolder } from "../../../desktop/src";
import { describeDependencies, syncDependencies } from "../../../desktop/src/dependencies";
import type { CommandContext } from "../context";
import { count } from "../format";
import { CliError, formatBytes } from "../output";
import { projectForFolder } from "../project-link";

type Flags = Record<string, string | boolean | undefined>;

/**
 * One progress line of a sync. Only the upload counts what is sent; the other phases say what they
 * look at, so no number reads like a total that went over the network.
 *
 * @example
 * describeSyncProgress({ phase: "uploading", files_done: 1, files_total: 3, bytes_done: 1024, bytes_total: 4096 });
 * // → "sending 1/3 files, 1.0 KB of 4.0 KB"
 */
export function describeSyncProgress(p: SyncProgress): string | null {
  switch (p.phase) {
    case "scanning":
      return "scanning the folder…";
    case "hashing":
      return `hashing ${p.files_done}/${count(p.files_total, "file")}`;
    case "comparing":
      return `comparing ${count(p.files_total, "file")} with the server…`;
    case "uploading":
      return p.files_done === 0
        ? `sending ${count(p.files_total, "file")} (${formatBytes(p.bytes_total)})…`
        : `sending ${p.files_done}/${count(p.files_total, "file")}, ${formatBytes(p.bytes_done)} of ${formatBytes(p.bytes_total)}`;
    case "committing":
      return `committing ${count(p.files_total, "change")}…`;
    default:
      return null;
  }
}

/**
 * Fails with a message naming `dir` unless it is an existing folder, before anything is created
 * (no project, no `.hivesync/`).
 *
 * @example
 * await assertFolder(path.resolve("missing-app")); // throws INVALID_ARGUMENT: No such folder: /…/missing-app …
 */
export async function assertFolder(dir: string): Promise<void> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliError(
      "INVALID_ARGUMENT",
      code === "ENOENT"
        ? `No such folder: ${dir}. Nothing was pushed and no project was created.`
        : `Cannot read ${dir} (${code}). Nothing was pushed and no project was created.`,
    );
  }
  if (!info.isDirectory()) {
    throw new CliError(
      "INVALID_ARGUMENT",
      `${dir} is a file, not a folder: give the app's folder (e.g. ${path.dirname(dir)}). Nothing was pushed.`,
    );
  }
}

/**
 * Mirrors a folder into its project and returns the sync result (the heart of `push` and
 * `preview`). A folder pushed for the first time becomes a project named after it. It says what it
 * left out: files that look like secrets (and how to include one) and files it could not send.
 *
 * @example
 * const result = await pushFolder(ctx, path.resolve("examples/hello-app"), {});
 */
export async function pushFolder(
  ctx: CommandContext,
  dir: string,
  flags: Flags,
): Promise<SyncFolderResult & { created_project: boolean }> {
  await assertFolder(dir);
  const { projectId, created } = await projectForFolder(ctx, dir, flags.project as string | undefined);
  if (created)
    ctx.out.say(`Created project ${path.basename(path.resolve(dir))} (${projectId}) for this folder.`);
  // The app's own dependencies before the commit, so the build it starts finds them (docs/previews.md §4).
  const dependencies = await syncDependencies(ctx.client, projectId, dir, {
    signal: ctx.signal,
    onBundling: (specifier) => ctx.out.progress(`bundling ${specifier}…`),
  });
  for (const line of describeDependencies(dependencies)) ctx.out.say(line);
  const result = await syncFolder(ctx.client, projectId, dir, {
    signal: ctx.signal,
    onProgress: (p) => {
      const line = describeSyncProgress(p);
      if (line) ctx.out.progress(line);
    },
  });
  if (result.withheld.length > 0) {
    ctx.out.say(
      `Left out ${count(result.withheld.length, "file")} that may hold secrets: ${result.withheld.join(", ")}`,
    );
    ctx.out.say(
      `  To push one anyway, add a line like \`!${result.withheld[0]?.replace(/\/$/, "").split("/").pop()}\` to .hivesyncignore.`,
    );
  }
  for (const skipped of result.excluded) ctx.out.say(`Skipped ${skipped.path}: ${skipped.reason}.`);
  return { ...result, created_project: created };
}

/**
 * The summary of a push as `--json` prints it.
 *
 * @example
 * ctx.out.result(pushSummary(result), pushSentence(result));
 */
export function pushSummary(result: SyncFolderResult) {
  return {
    project_id: result.project_id,
    revision: result.revision,
    files: result.files,
    uploaded_files: result.uploaded_files,
    uploaded_bytes: result.uploaded_bytes,
    skipped_files: result.skipped_files,
    committed: result.committed,
    ...(result.sync_id ? { sync_id: result.sync_id } : {}),
    withheld: result.withheld,
    excluded: result.excluded,
  };
}

/**
 * The push in one sentence: revision, files, what was sent.
 *
 * @example
 * pushSentence(result); // "Pushed revision 2: 7 files, sent 1 (1.2 KB), 6 already on the server."
 */
export function pushSentence(result: SyncFolderResult): string {
  return result.committed
    ? `Pushed revision ${result.revision}: ${count(result.files, "file")}, sent ${result.uploaded_files} (${formatBytes(result.uploaded_bytes)}), ${result.skipped_files} already on the server.`
    : `Up to date at revision ${result.revision}: ${count(result.files, "file")}, nothing sent.`;
}

/**
 * `hivesync push [dir] [--project <id>]`
 *
 * @example
 * await push(ctx, ["./examples/hello-app"], {});
 */
export async function push(ctx: CommandContext, args: string[], flags: Flags): Promise<void> {
  const dir = path.resolve(ctx.cwd, args[0] ?? ".");
  const result = await pushFolder(ctx, dir, flags);
  ctx.out.result(pushSummary(result), pushSentence(result));
}
