import path from "node:path";
import { waitForAiJob } from "../../../core/src";
import type { CommandContext } from "../context";
import { CliError } from "../output";
import { findLinkedProject } from "../project-link";

type Flags = Record<string, string | boolean | undefined>;
const TYPES = {
  summarize: "summarize_file",
  explain: "explain_selection",
  symbols: "document_symbols",
} as const;

/** `hivesync ai <summarize|explain|symbols> <file> [--lines 10:40] [--wait] [--comment] [--project <id>]` */
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
  // The file is named as on disk; its mirror path is relative to the linked folder's root, which may
  // be above the current directory. --project names the project and takes the mirror path as given.
  let projectId = flags.project as string | undefined;
  let filePath = file.replace(/^\.\//, "");
  if (!projectId) {
    const linked = await findLinkedProject(ctx, ctx.cwd);
    if (!linked) {
      throw new CliError(
        "NOT_LINKED",
        "This folder is not linked to a project: run `hivesync push` first, or pass --project <id>.",
      );
    }
    projectId = linked.projectId;
    filePath = path.relative(linked.root, path.resolve(ctx.cwd, file));
  }
  const created = await ctx.client.ai.create({
    project_id: projectId,
    type,
    file_path: filePath.split(path.sep).join("/"),
    ...(selection ? { selection } : {}),
    post_as_comment: flags.comment === true,
  });
  if (flags.wait !== true) {
    ctx.out.result(created, `Queued ${created.job_id}; \`hivesync ai … --wait\` waits for the result.`);
    return;
  }
  const job = await waitForAiJob(ctx.client, created.job_id, { signal: ctx.signal });
  if (job.status === "failed")
    throw new CliError(
      job.error?.code?.toUpperCase() ?? "AI_JOB_FAILED",
      job.error?.message ?? "The job failed.",
    );
  const sections =
    job.result?.sections
      .map((s) => `  ${s.title} (lines ${s.line_start}–${s.line_end}): ${s.text}`)
      .join("\n") ?? "";
  ctx.out.result(job, `${job.result?.summary}\n${sections}\n(${job.result?.provider}/${job.result?.model})`);
}
