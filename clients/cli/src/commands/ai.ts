import path from "node:path";
import { waitForAiJob } from "../../../core/src";
import type { CommandContext } from "../context";
import { formatAiResult } from "../format";
import { CliError } from "../output";
import { findLinkedProject } from "../project-link";

type Flags = Record<string, string | boolean | undefined>;
const TYPES = {
  summarize: "summarize_file",
  explain: "explain_selection",
  symbols: "document_symbols",
} as const;

/**
 * `hivesync ai <summarize|explain|symbols> <file> [--lines 10:40] [--wait] [--comment] [--project <id>]`
 *
 * @example
 * await ai(ctx, ["summarize", "examples/hello-app/App.js"], { wait: true });
 */
export async function ai(ctx: CommandContext, args: string[], flags: Flags): Promise<void> {
  const [kind, file] = args;
  const type = TYPES[kind as keyof typeof TYPES];
  if (!type)
    throw new CliError("INVALID_ARGUMENT", "Say what to do: hivesync ai summarize|explain|symbols <file>.");
  if (!file)
    throw new CliError("MISSING_ARGUMENT", "Which file? Give its path in the mirror, e.g. src/App.tsx.");
  let selection: { start_line: number; end_line: number } | undefined;
  if (typeof flags.lines === "string") {
    const match = /^(\d+):(\d+)$/.exec(flags.lines);
    if (!match) throw new CliError("INVALID_ARGUMENT", "--lines is START:END, e.g. --lines 10:40.");
    selection = { start_line: Number(match[1]), end_line: Number(match[2]) };
  }
  if (type === "explain_selection" && !selection)
    throw new CliError("MISSING_ARGUMENT", "explain needs --lines START:END.");
  // The file is named as on disk; the project is the one linked to the file's folder or the nearest
  // folder above it (not the working directory's), and the mirror path is relative to that folder.
  // --project names the project and takes the mirror path as given.
  let projectId = flags.project as string | undefined;
  let filePath = file.replace(/^\.\//, "");
  if (!projectId) {
    const absolute = path.resolve(ctx.cwd, file);
    const linked = await findLinkedProject(ctx, path.dirname(absolute));
    if (!linked) {
      throw new CliError(
        "NOT_LINKED",
        `${absolute} is not in a linked folder: \`hivesync push <app folder>\` links it, or pass --project <id> with the file's path in the mirror.`,
      );
    }
    projectId = linked.projectId;
    filePath = path.relative(linked.root, absolute);
  }
  const created = await ctx.client.ai.create({
    project_id: projectId,
    type,
    file_path: filePath.split(path.sep).join("/"),
    ...(selection ? { selection } : {}),
    post_as_comment: flags.comment === true,
  });
  if (flags.wait !== true) {
    ctx.out.result(
      created,
      `Queued ${created.job_id} for ${filePath}; add --wait to wait for the result (\`hivesync notifications\` says when it is done).`,
    );
    return;
  }
  const job = await waitForAiJob(ctx.client, created.job_id, { signal: ctx.signal });
  if (job.status === "failed")
    throw new CliError(
      job.error?.code?.toUpperCase() ?? "AI_JOB_FAILED",
      job.error?.message ?? "The job failed.",
    );
  ctx.out.result(job, formatAiResult(job, ctx.columns));
}
