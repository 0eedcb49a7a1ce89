import path from "node:path";
import {
  collectAll,
  isHiveSyncError,
  isTerminalPreviewStatus,
  MAX_STATUS_WAIT_SECONDS,
  type Platform,
  type PreviewSessionRecord,
  type PreviewStatusResponse,
  sleep,
  startPreview,
} from "../../../desktop/src";
import type { CommandContext } from "../context";
import { printable, relativeTime } from "../format";
import { CliError } from "../output";
import { PreviewCodes, type RememberedPreview } from "../preview-codes";
import { phoneReachHint, terminalQr } from "../terminal-qr";
import { followFolder } from "./preview-watch";
import { pushFolder, pushSentence } from "./push";

type Flags = Record<string, string | boolean | undefined>;
const PLATFORMS = ["ios", "android", "web"] as const;

/** The preview a `hivesync preview` shows: a live one reused, or a new one. */
export type ChosenPreview = RememberedPreview & { reused: boolean; replaced: string[] };

/**
 * How long `preview` watches a live session of an older revision for a sign that it follows its
 * project (its rebuild starting: `stage` "updating", or its revision moving) before replacing it
 * with a new session. Servers whose sessions follow their project show it within a second or two.
 */
export const FOLLOW_GRACE_MS = 5_000;

/**
 * Whether `session` (live, at an older revision than `revision`) follows its project: it is
 * rebuilding for the new revision, or already serves it, within `graceMs`.
 */
async function followsProject(
  ctx: CommandContext,
  session: PreviewSessionRecord,
  revision: number,
  graceMs: number,
): Promise<boolean> {
  const deadline = Date.now() + graceMs;
  let version = session.version;
  for (;;) {
    const remaining = deadline - Date.now();
    const asked = Date.now();
    const poll = await ctx.client.previews.pollStatus(session.id, {
      sinceVersion: version,
      waitSeconds: Math.max(0, Math.min(MAX_STATUS_WAIT_SECONDS, Math.floor(remaining / 1000))),
      signal: ctx.signal,
    });
    if (poll.changed) {
      if (isTerminalPreviewStatus(poll.status.status)) return false;
      if (poll.status.stage === "updating") return true;
      // It rebuilt for the new revision, which did not build: it follows (and says why).
      if ((poll.status.build_error?.revision ?? 0) >= revision) return true;
      const record = await ctx.client.previews.session(session.id, { signal: ctx.signal });
      if (record.revision >= revision) return true;
    }
    version = poll.version;
    if (Date.now() >= deadline) return false;
    // A server that answers at once instead of holding the poll: look again shortly.
    if (Date.now() - asked < 500) await sleep(Math.min(500, Math.max(0, deadline - Date.now())), ctx.signal);
  }
}

/**
 * The preview to show for `projectId` at `revision` on `platform`, never waiting on the server's
 * per-project cap:
 *
 * - a live session of this project and platform that this CLI started (so it knows the code) is
 *   reused when it shows `revision`, or when it follows its project (it starts rebuilding for
 *   `revision` within {@link FOLLOW_GRACE_MS});
 * - otherwise a new one is started, and such a session of an older revision is replaced
 *   (cancelled) so previews do not pile up;
 * - at the cap (429 `TOO_MANY_PREVIEWS`) the oldest live session is cancelled and the start tried
 *   once more.
 *
 * Any other 429 fails at once with its wait (the client waits out only short `Retry-After`s).
 *
 * @example
 * const chosen = await choosePreview(ctx, projectId, 3, "ios", { fresh: false });
 * if (chosen.reused) console.log(`still ${chosen.code}`);
 */
export async function choosePreview(
  ctx: CommandContext,
  projectId: string,
  revision: number,
  platform: Platform,
  options: { fresh: boolean; followGraceMs?: number },
): Promise<ChosenPreview> {
  const codes = new PreviewCodes(ctx.configDir, ctx.api);
  const live = (
    await collectAll((cursor) =>
      ctx.client.previews.list(
        { project_id: projectId, active: true, cursor, limit: 100 },
        { signal: ctx.signal },
      ),
    )
  ).filter((s) => !isTerminalPreviewStatus(s.status));
  const replaced: string[] = [];
  const cancel = async (session: PreviewSessionRecord) => {
    try {
      await ctx.client.previews.cancel(session.id, { signal: ctx.signal });
    } catch (error) {
      // Ended meanwhile (expired, cancelled elsewhere): it no longer counts against the cap.
      if (!isHiveSyncError(error, "NOT_FOUND", "PREVIEW_EXPIRED", "PREVIEW_CANCELLED", "PREVIEW_FAILED"))
        throw error;
    }
    await codes.forget(session.id);
    replaced.push(session.id);
  };

  // This platform's live sessions whose code is known here, newest first.
  const mine: Array<{ session: PreviewSessionRecord; known: RememberedPreview }> = [];
  for (const session of live
    .filter((s) => s.platform === platform)
    .sort((a, b) => (a.created_at < b.created_at ? 1 : -1))) {
    const known = await codes.get(session.id);
    if (known) mine.push({ session, known });
  }
  if (!options.fresh) {
    const current = mine.find(
      (m) => m.session.revision >= revision || (m.session.build_error?.revision ?? 0) >= revision,
    );
    if (current) return { ...current.known, reused: true, replaced };
    const newest = mine[0];
    if (newest) {
      ctx.out.progress(`checking whether the live preview ${newest.session.id} follows the new revision…`);
      if (await followsProject(ctx, newest.session, revision, options.followGraceMs ?? FOLLOW_GRACE_MS))
        return { ...newest.known, reused: true, replaced };
    }
  }
  for (const { session } of mine) {
    if (session.revision < revision) {
      await cancel(session);
      ctx.out.say(`Replaced the preview ${session.id} (revision ${session.revision}).`);
    }
  }

  const start = () => startPreview(ctx.client, projectId, { platform, signal: ctx.signal });
  let started: Awaited<ReturnType<typeof start>>;
  try {
    started = await start();
  } catch (error) {
    if (!isHiveSyncError(error, "TOO_MANY_PREVIEWS")) throw error;
    const oldest = live
      .filter((s) => !replaced.includes(s.id))
      .sort((a, b) => (a.created_at < b.created_at ? -1 : 1))[0];
    if (!oldest) throw error;
    await cancel(oldest);
    const limit = (error.details as { limit?: number }).limit;
    ctx.out.say(
      `This project has the most live previews it may${limit ? ` (${limit})` : ""}: cancelled the oldest, ${oldest.id} (${oldest.platform}, started ${relativeTime(oldest.created_at)}).`,
    );
    started = await start();
  }
  const remembered: RememberedPreview = {
    session_id: started.session_id,
    project_id: projectId,
    platform,
    code: started.code,
    link_url: started.link_url,
    deep_link: started.deep_link,
    expires_at: started.expires_at,
  };
  await codes.remember(remembered);
  return { ...remembered, reused: false, replaced };
}

/**
 * Follows a preview until it is ready at `revision` (a session that follows its project may still
 * be showing an older one while it rebuilds), or ended. A rebuild of `revision` that fails while
 * the previous revision keeps running comes back with that `build_error` (the session reports a
 * failed update there, never in `error`, which is for a first build that failed).
 *
 * @example
 * const final = await watchUntilRevision(ctx, sessionId, 3, (s) => console.log(s.status));
 * if (final.build_error) console.log(`${final.build_error.file}:${final.build_error.line}`);
 */
export async function watchUntilRevision(
  ctx: CommandContext,
  sessionId: string,
  revision: number,
  onChange: (status: PreviewStatusResponse) => void,
): Promise<PreviewStatusResponse> {
  let version: number | undefined;
  for (;;) {
    const asked = Date.now();
    const poll = await ctx.client.previews.pollStatus(sessionId, {
      sinceVersion: version,
      waitSeconds: MAX_STATUS_WAIT_SECONDS,
      signal: ctx.signal,
    });
    if (poll.changed) {
      const status = poll.status;
      onChange(status);
      if (isTerminalPreviewStatus(status.status)) return status;
      if (status.status === "ready") {
        // The revision served: in the status (current servers), else in the session record.
        const serving =
          status.revision ??
          (status.stage === "updating"
            ? undefined
            : (await ctx.client.previews.session(sessionId, { signal: ctx.signal })).revision);
        if (serving !== undefined && serving >= revision) {
          // Serving this revision: an error still attached belongs to another rebuild.
          const { error: _first, build_error: _other, ...current } = status;
          return current;
        }
        if (status.build_error && status.build_error.revision >= revision) return status;
      }
    } else if (Date.now() - asked < 1000) await sleep(1000 - (Date.now() - asked), ctx.signal);
    version = poll.version;
  }
}

/** Why a session ended: where its build failed when the server says (`App.js:2:10 …`), else the message. */
function endedReason(error: PreviewStatusResponse["error"]): string {
  if (!error) return "no details";
  if (error.file && error.line && error.column)
    return buildErrorPlace({
      file: error.file,
      line: error.line,
      column: error.column,
      message: error.message,
    });
  return printable(error.message);
}

/** `App.js:12:5 Unexpected token` for a build error (its message's first line). */
function buildErrorPlace(error: { file: string; line: number; column: number; message: string }): string {
  // The path and the compiler's words about it come from the server: shown, never run.
  const message = printable(error.message.split("\n")[0]?.trim() ?? "");
  return error.file ? `${printable(error.file)}:${error.line}:${error.column} ${message}` : message;
}

/**
 * `hivesync preview [dir] [--project <id>] [--platform ios] [--new] [--watch] [--open]`: push, then
 * show a preview's QR code (the live one of this platform when it already shows this revision, else
 * a new one) and follow its build. `--open` opens the link in the desktop's browser (a failure to is
 * a warning). `--watch` then keeps pushing every save and prints one line per revision with its
 * build result ({@link followFolder}) until Ctrl-C, which ends it with exit code 0 and the preview
 * still live.
 *
 * @example
 * await preview(ctx, ["./examples/hello-app"], { platform: "android", watch: true });
 */
export async function preview(ctx: CommandContext, args: string[], flags: Flags): Promise<void> {
  const platform = (flags.platform as string | undefined) ?? "ios";
  if (!PLATFORMS.includes(platform as (typeof PLATFORMS)[number])) {
    throw new CliError("INVALID_ARGUMENT", `--platform is one of ${PLATFORMS.join(", ")}.`);
  }
  const dir = path.resolve(ctx.cwd, args[0] ?? ".");
  const watch = flags.watch === true;
  try {
    await previewOnce(ctx, dir, platform as Platform, flags, watch);
  } catch (error) {
    if (watch && ctx.signal.aborted) {
      ctx.out.say("Stopped before the preview was ready.");
      return;
    }
    throw error;
  }
}

async function previewOnce(
  ctx: CommandContext,
  dir: string,
  platform: Platform,
  flags: Flags,
  watch: boolean,
): Promise<void> {
  const pushed = await pushFolder(ctx, dir, flags);
  ctx.out.say(pushSentence(pushed));
  const chosen = await choosePreview(ctx, pushed.project_id, pushed.revision, platform, {
    fresh: flags.new === true,
    followGraceMs: ctx.followGraceMs,
  });
  if (chosen.reused)
    ctx.out.say(`Reusing the live preview ${chosen.session_id} (revision ${pushed.revision}).`);
  ctx.out.say("");
  ctx.out.say(terminalQr(chosen.link_url));
  ctx.out.say("");
  ctx.out.say(`Scan the QR code, open ${chosen.link_url}, or type ${chosen.code} in the HiveSync app.`);
  const hint = phoneReachHint(chosen.link_url);
  if (hint) ctx.out.say(hint);
  if (flags.open === true) {
    // The link works before the build is done: its page turns into the app when it is ready.
    try {
      await ctx.openUrl(chosen.link_url);
    } catch (error) {
      ctx.out.warn(
        `could not open the link in a browser (${(error as Error).message}): open ${chosen.link_url} yourself.`,
      );
    }
  }
  const final = await watchUntilRevision(ctx, chosen.session_id, pushed.revision, (s) =>
    ctx.out.progress(`${s.status}${s.stage ? ` (${s.stage})` : ""} ${Math.round(s.progress * 100)}%`),
  );
  const result = {
    session_id: chosen.session_id,
    project_id: pushed.project_id,
    revision: pushed.revision,
    status: final.status,
    reused: chosen.reused,
    replaced: chosen.replaced,
    code: chosen.code,
    link_url: chosen.link_url,
    deep_link: chosen.deep_link,
    expires_at: chosen.expires_at,
    withheld: pushed.withheld,
    excluded: pushed.excluded,
    ...(final.bundle ? { bundle: final.bundle } : {}),
    ...(final.error ? { error: final.error } : {}),
    ...(final.build_error ? { build_error: final.build_error } : {}),
  };
  if (final.status !== "ready") {
    await new PreviewCodes(ctx.configDir, ctx.api).forget(chosen.session_id);
    ctx.out.result(result);
    throw new CliError(
      final.error?.code?.toUpperCase() ?? "PREVIEW_FAILED",
      `The preview ended ${final.status}: ${endedReason(final.error)}.`,
    );
  }
  const failed = final.build_error;
  if (failed && !watch) {
    ctx.out.result(result);
    throw new CliError(
      failed.code.toUpperCase(),
      `The preview keeps showing revision ${final.revision ?? "the previous one"}: revision ${failed.revision} did not build: ${buildErrorPlace(failed)}.`,
    );
  }
  if (failed)
    ctx.out.result(
      result,
      `r${failed.revision} build error ${buildErrorPlace(failed)} (the preview keeps showing r${final.revision}). Code ${chosen.code}, valid until ${chosen.expires_at}.`,
    );
  else
    ctx.out.result(
      result,
      `Ready: ${final.bundle?.file_count} files. Code ${chosen.code}, valid until ${chosen.expires_at}.`,
    );
  if (!watch) return;

  const { lastRevision } = await followFolder(ctx, {
    dir,
    projectId: pushed.project_id,
    sessionId: chosen.session_id,
    code: chosen.code,
    linkUrl: chosen.link_url,
    expiresAt: chosen.expires_at,
    knownRevision: Math.max(pushed.revision, final.revision ?? 0, failed?.revision ?? 0),
    withheld: pushed.withheld,
    excluded: pushed.excluded,
  });
  const stopped = `Stopped watching. The preview stays live at ${chosen.link_url} (code ${chosen.code}) until ${chosen.expires_at}.`;
  if (ctx.out.json)
    ctx.out.line(JSON.stringify({ stopped: true, session_id: chosen.session_id, revision: lastRevision }));
  else ctx.out.say(stopped);
}
