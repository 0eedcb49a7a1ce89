import {
  type ExcludedFile,
  isTerminalPreviewStatus,
  type PreviewLiveEvent,
  syncFolder,
  type WatchFolderOptions,
  watchFolder,
  watchPreviewEvents,
} from "../../../desktop/src";
import { describeDependencies, syncDependencies } from "../../../desktop/src/dependencies";
import type { CommandContext } from "../context";
import { count, formatWait, printable } from "../format";
import { CliError, describeFailure } from "../output";

/** Quiet time after the last save before a push: an editor's burst of writes is one push. */
export const WATCH_DEBOUNCE_MS = 150;

/** What `preview --watch` follows: the folder, its project, and the session showing it. */
export type WatchTarget = {
  dir: string;
  projectId: string;
  sessionId: string;
  code: string;
  linkUrl: string;
  expiresAt: string;
  /** The newest revision already reported (served, or failed to build). */
  knownRevision: number;
  withheld: string[];
  excluded: ExcludedFile[];
};

/** A revision this CLI pushed: when the push began, and how many files it changed. */
type Pushed = { startedAt: number; changed: number };

/** One revision as the session reported it. */
export type RevisionReport =
  | { revision: number; status: "ready"; ms?: number; files_changed?: number }
  | {
      revision: number;
      status: "build_error";
      file: string;
      line: number;
      column: number;
      message: string;
      ms?: number;
      files_changed?: number;
    };

/**
 * The line `preview --watch` prints for a revision: `r7 ready in 140 ms (2 files changed)`, or
 * `r8 build error App.js:12:5 Unexpected token` (the message's first line). A revision committed by
 * someone else (no push time known here) says so.
 *
 * @example
 * revisionLine({ revision: 7, status: "ready", ms: 140, files_changed: 2 }); // "r7 ready in 140 ms (2 files changed)"
 */
export function revisionLine(report: RevisionReport): string {
  if (report.status === "build_error") {
    // The path and the compiler's words come from the server: shown, never run.
    const message = printable(report.message.split("\n")[0]?.trim() ?? "");
    // An error of no file (the build was stranded, the mirror was empty) has no place to name.
    const place = report.file ? `${printable(report.file)}:${report.line}:${report.column} ` : "";
    return `r${report.revision} build error ${place}${message}`;
  }
  if (report.ms === undefined) return `r${report.revision} ready (committed elsewhere)`;
  return `r${report.revision} ready in ${report.ms} ms (${count(report.files_changed ?? 0, "file")} changed)`;
}

/**
 * The watching half of `hivesync preview --watch`: mirrors `target.dir` after every burst of saves
 * (debounced, the sync's ignore rules applied, pushes one at a time) and prints one line per
 * revision as the session reports it, read from its live channel ({@link watchPreviewEvents}).
 * Returns when `ctx.signal` fires (Ctrl-C) after stopping the watcher and closing the socket, with
 * the session left live; throws when the session ends (expired, cancelled elsewhere).
 *
 * @example
 * await followFolder(ctx, { dir, projectId, sessionId, code, linkUrl, expiresAt, knownRevision: 3, withheld: [], excluded: [] });
 */
export async function followFolder(
  ctx: CommandContext,
  target: WatchTarget,
  options: { watch?: Partial<WatchFolderOptions> } = {},
): Promise<{ lastRevision: number }> {
  const { signal } = ctx;
  const pushes = new Map<number, Pushed>();
  const held: RevisionReport[] = []; // reported while the push that made them was still returning
  let lastRevision = target.knownRevision;
  let pushing: Promise<void> | null = null;
  let again = false;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let retryMs = 2_000;
  let withheld = JSON.stringify(target.withheld);
  let excluded = JSON.stringify(target.excluded);

  const print = (report: RevisionReport) => {
    if (report.revision <= lastRevision && report.status === "ready") return;
    const pushed = pushes.get(report.revision);
    const full: RevisionReport = pushed
      ? {
          ...report,
          ms: Math.max(0, Math.round(performance.now() - pushed.startedAt)),
          files_changed: pushed.changed,
        }
      : report;
    for (const revision of pushes.keys()) if (revision <= report.revision) pushes.delete(revision);
    lastRevision = Math.max(lastRevision, report.revision);
    if (ctx.out.json) ctx.out.line(JSON.stringify(full));
    else ctx.out.say(revisionLine(full));
  };
  const report = (event: RevisionReport) => {
    if (pushing && !pushes.has(event.revision)) held.push(event);
    else print(event);
  };

  const pushOnce = async () => {
    const startedAt = performance.now();
    const dependencies = await syncDependencies(ctx.client, target.projectId, target.dir, { signal });
    if (dependencies.status !== "no_node_modules" && (dependencies.changed || dependencies.failed.length))
      for (const line of describeDependencies(dependencies)) ctx.out.warn(line);
    const result = await syncFolder(ctx.client, target.projectId, target.dir, { signal });
    if (result.committed)
      pushes.set(result.revision, { startedAt, changed: result.changes.put + result.changes.delete });
    if (JSON.stringify(result.withheld) !== withheld && result.withheld.length > 0)
      ctx.out.warn(`left out ${result.withheld.join(", ")}: they may hold secrets (see .hivesyncignore).`);
    if (JSON.stringify(result.excluded) !== excluded)
      for (const skipped of result.excluded) ctx.out.warn(`skipped ${skipped.path}: ${skipped.reason}.`);
    withheld = JSON.stringify(result.withheld);
    excluded = JSON.stringify(result.excluded);
  };
  const push = () => {
    clearTimeout(retryTimer);
    if (pushing) {
      again = true;
      return;
    }
    pushing = (async () => {
      do {
        again = false;
        try {
          await pushOnce();
          retryMs = 2_000;
        } catch (error) {
          if (signal.aborted) return;
          ctx.out.warn(
            `the push failed (${describeFailure(error, { api: ctx.api }).line}); trying again in ${formatWait(retryMs / 1000)}.`,
          );
          retryTimer = setTimeout(push, retryMs);
          retryMs = Math.min(30_000, retryMs * 2);
        }
      } while (again && !signal.aborted);
    })().finally(() => {
      pushing = null;
      for (const event of held.splice(0)) print(event);
    });
  };

  const watcher = watchFolder(target.dir, {
    debounceMs: WATCH_DEBOUNCE_MS,
    signal,
    onChange: push,
    onMode: (mode, reason) => {
      if (mode === "poll") ctx.out.progress(`watching by polling the folder: ${reason}`);
    },
    ...options.watch,
  });
  ctx.out.say(`Watching ${target.dir} for changes. Ctrl-C stops (the preview stays live).`);
  try {
    for await (const event of watchPreviewEvents(ctx.client, target.sessionId, {
      signal,
      knownRevision: target.knownRevision,
    })) {
      handle(ctx, event, report);
      if (event.type === "status" && isTerminalPreviewStatus(event.status.status)) {
        const what = event.status.status;
        throw new CliError(
          `PREVIEW_${what.toUpperCase()}`,
          `The preview ${target.sessionId} ${what === "failed" ? "failed" : `was ${what}`}: run \`hivesync preview --watch\` again for a new one.`,
        );
      }
    }
  } catch (error) {
    if (!signal.aborted) throw error;
  } finally {
    watcher.close();
    clearTimeout(retryTimer);
    // A push under way stops at the signal; let it settle so nothing writes after the command ends.
    await (pushing as Promise<void> | null)?.catch(() => {});
  }
  return { lastRevision };
}

function handle(ctx: CommandContext, event: PreviewLiveEvent, report: (r: RevisionReport) => void): void {
  switch (event.type) {
    case "revision":
      report({ revision: event.revision, status: "ready" });
      break;
    case "build_error":
      report({
        revision: event.revision,
        status: "build_error",
        file: event.error.file,
        line: event.error.line,
        column: event.error.column,
        message: event.error.message,
      });
      break;
    case "connection":
      ctx.out.progress(
        event.state === "live"
          ? "live: connected"
          : event.state === "reconnecting"
            ? `live: reconnecting in ${formatWait((event.retryInMs ?? 0) / 1000)}…`
            : `live: following by long-poll (${event.reason})`,
      );
      break;
    case "status":
      break;
  }
}
