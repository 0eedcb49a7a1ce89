import path from "node:path";
import { resolvePreview } from "../../../mobile/src";
import { directoryWriter, FileSystemBlobStore } from "../../../mobile/src/node";
import type { CommandContext } from "../context";
import { CliError, formatBytes } from "../output";

type Flags = Record<string, string | boolean | undefined>;

/**
 * `hivesync open <code> [--out dir]`: the phone's side on a terminal. Resolves the code, waits for
 * the build, downloads only the files missing from the local blob cache, verifies every hash and
 * writes the tree.
 */
export async function open(ctx: CommandContext, args: string[], flags: Flags): Promise<void> {
  const code = args[0];
  if (!code)
    throw new CliError(
      "MISSING_ARGUMENT",
      "Which preview? hivesync open <code>, e.g. hivesync open WDJB-MJHT.",
    );
  const handle = await resolvePreview(ctx.client, code);
  ctx.out.say(`${handle.resolved.project.name} (${handle.resolved.platform}), ${handle.resolved.status}.`);
  await handle.waitUntilReady({ signal: ctx.signal });
  const out = path.resolve(ctx.cwd, (flags.out as string | undefined) ?? `hivesync-${handle.sessionId}`);
  const store = new FileSystemBlobStore(path.join(ctx.configDir, "blobs"));
  const result = await handle.fetchBundle({
    store,
    writer: directoryWriter(out),
    signal: ctx.signal,
    onProgress: (p) =>
      ctx.out.progress(`${p.phase} ${p.files_done}/${p.files_total} files, ${formatBytes(p.bytes_done)}`),
  });
  const summary = {
    session_id: handle.sessionId,
    out,
    files: result.files.size,
    downloaded_files: result.downloaded_files,
    downloaded_bytes: result.downloaded_bytes,
    reused_files: result.reused_files,
  };
  ctx.out.result(
    summary,
    `Wrote ${result.files.size} verified files to ${out}: downloaded ${result.downloaded_files} (${formatBytes(result.downloaded_bytes)}), reused ${result.reused_files} from the cache.`,
  );
}
