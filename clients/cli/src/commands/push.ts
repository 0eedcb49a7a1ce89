import path from "node:path";
import { type SyncFolderResult, type SyncProgress, syncFolder } from "../../../desktop/src";
import type { CommandContext } from "../context";
import { formatBytes } from "../output";
import { projectForFolder } from "../project-link";

type Flags = Record<string, string | boolean | undefined>;

function describeProgress(p: SyncProgress): string {
  const bytes = p.bytes_total ? ` ${formatBytes(p.bytes_done)}/${formatBytes(p.bytes_total)}` : "";
  return `${p.phase} ${p.files_done}/${p.files_total} files${bytes}`;
}

/**
 * Mirrors a folder into its project and returns the sync result (the heart of `push` and
 * `preview`). A folder pushed for the first time becomes a project named after it.
 */
export async function pushFolder(
  ctx: CommandContext,
  dir: string,
  flags: Flags,
): Promise<SyncFolderResult & { created_project: boolean }> {
  const { projectId, created } = await projectForFolder(ctx, dir, flags.project as string | undefined);
  if (created)
    ctx.out.say(`Created project ${path.basename(path.resolve(dir))} (${projectId}) for this folder.`);
  const result = await syncFolder(ctx.client, projectId, dir, {
    signal: ctx.signal,
    onProgress: (p) => ctx.out.progress(describeProgress(p)),
  });
  for (const skipped of result.excluded) ctx.out.say(`skipped ${skipped.path}: ${skipped.reason}`);
  return { ...result, created_project: created };
}

/** `hivesync push [dir] [--project <id>]` */
export async function push(ctx: CommandContext, args: string[], flags: Flags): Promise<void> {
  const dir = path.resolve(ctx.cwd, args[0] ?? ".");
  const result = await pushFolder(ctx, dir, flags);
  const summary = {
    project_id: result.project_id,
    revision: result.revision,
    files: result.files,
    uploaded_files: result.uploaded_files,
    uploaded_bytes: result.uploaded_bytes,
    skipped_files: result.skipped_files,
    committed: result.committed,
    ...(result.sync_id ? { sync_id: result.sync_id } : {}),
  };
  ctx.out.result(
    summary,
    result.committed
      ? `Pushed revision ${result.revision}: ${result.files} files, sent ${result.uploaded_files} (${formatBytes(result.uploaded_bytes)}), ${result.skipped_files} already on the server.`
      : `Up to date at revision ${result.revision}: ${result.files} files, nothing sent.`,
  );
}
