import path from "node:path";
import type { BundleProgress } from "../../../mobile/src";
import { PreviewHandle, resolvePreview } from "../../../mobile/src";
import { FileSystemBlobStore, writeBundleFolder } from "../../../mobile/src/node";
import type { CommandContext } from "../context";
import { count, printable } from "../format";
import { CliError, formatBytes } from "../output";

type Flags = Record<string, string | boolean | undefined>;

/**
 * One progress line of a bundle download: only downloads count bytes received.
 *
 * @example
 * describeBundleProgress({ phase: "downloading", files_done: 1, files_total: 2, bytes_done: 10, bytes_total: 20 });
 * // → "downloading 1/2 files, 10 B of 20 B"
 */
export function describeBundleProgress(p: BundleProgress): string | null {
  if (p.phase === "manifest") return "reading the bundle manifest…";
  if (p.phase === "downloading")
    return `downloading ${p.files_done}/${count(p.files_total, "file")}, ${formatBytes(p.bytes_done)} of ${formatBytes(p.bytes_total)}`;
  return null;
}

/**
 * `hivesync open <code> [--out dir]`: the phone's side on a terminal. Resolves the code, waits for
 * the build, downloads only the files missing from the local blob cache, verifies every hash and
 * makes the folder hold exactly the bundle: files an earlier `open` wrote there and the bundle no
 * longer has are removed; files it did not write are never touched. The folder is never left
 * half-written: the bundle is laid out in a temporary folder beside it first (writeBundleFolder).
 * A viewer gets the files the app uses; the preview's owner, signed in here, gets every mirrored
 * file.
 *
 * @example
 * await open(ctx, ["WDJB-MJHT"], { out: "/tmp/phone" });
 */
export async function open(ctx: CommandContext, args: string[], flags: Flags): Promise<void> {
  const code = args[0];
  if (!code)
    throw new CliError(
      "MISSING_ARGUMENT",
      "Which preview? hivesync open <code>, e.g. hivesync open WDJB-MJHT.",
    );
  const resolved = await resolvePreview(ctx.client, code);
  const owner = await ownsSession(ctx, resolved.sessionId);
  // The owner reads with their own sign-in: the whole mirror, not only what the app imports.
  const handle = owner ? new PreviewHandle(ctx.client, resolved.sessionId, "user") : resolved;
  ctx.out.say(
    `${printable(resolved.resolved.project.name)} (${resolved.resolved.platform}), ${resolved.resolved.status}${owner ? ", yours: every file" : ""}.`,
  );
  await handle.waitUntilReady({ signal: ctx.signal });
  const out = path.resolve(ctx.cwd, (flags.out as string | undefined) ?? `hivesync-${handle.sessionId}`);
  const store = new FileSystemBlobStore(path.join(ctx.configDir, "blobs"));
  const result = await handle.fetchBundle({
    store,
    signal: ctx.signal,
    onProgress: (p) => {
      const line = describeBundleProgress(p);
      if (line) ctx.out.progress(line);
    },
  });
  let done = 0;
  // Laid out beside `out` first, then renamed or moved in: a failure never leaves it half-written.
  const tree = await writeBundleFolder(out, result.files, {
    onFileWritten: () => ctx.out.progress(`writing ${++done}/${result.files.size} files`),
  });
  for (const kept of tree.kept)
    ctx.out.say(
      `Kept ${printable(kept)}: it is no longer in the bundle, but it was changed here since it was written.`,
    );
  const summary = {
    session_id: handle.sessionId,
    out,
    files: result.files.size,
    downloaded_files: result.downloaded_files,
    downloaded_bytes: result.downloaded_bytes,
    reused_files: result.reused_files,
    removed: tree.removed,
    kept: tree.kept,
  };
  const removed = tree.removed.length
    ? ` Removed ${count(tree.removed.length, "file")} no longer in the bundle.`
    : "";
  ctx.out.result(
    summary,
    `Wrote ${count(result.files.size, "verified file")} to ${out}: downloaded ${result.downloaded_files} (${formatBytes(result.downloaded_bytes)}), reused ${result.reused_files} from the cache.${removed}`,
  );
}

/** Whether the signed-in user (if any) owns the session: their own record of it answers. */
async function ownsSession(ctx: CommandContext, sessionId: string): Promise<boolean> {
  try {
    await ctx.client.previews.session(sessionId, { retry: false, signal: ctx.signal });
    return true;
  } catch {
    // Not signed in, someone else's preview, or the server could not say: a viewer, as a phone is.
    return false;
  }
}
