import { collectAll } from "../../../core/src";
import type { CommandContext } from "../context";
import { printable } from "../format";
import { CliError } from "../output";
import { findLinkedProject, unlinkFolder } from "../project-link";

type Flags = Record<string, string | boolean | undefined>;
const FRAMEWORKS = ["expo", "react-native", "web", "other"] as const;

/**
 * `hivesync projects create <name> [--framework expo] [--entry App.tsx]`, `hivesync projects list`
 * and `hivesync projects delete <id>` (which also unlinks the current folder when it was linked to
 * that project).
 *
 * @example
 * await projects(ctx, ["delete", "prj_2c9f…"], {});
 */
export async function projects(ctx: CommandContext, args: string[], flags: Flags): Promise<void> {
  const [sub, name] = args;
  if (sub === "create") {
    if (!name) throw new CliError("MISSING_ARGUMENT", "Name the project: hivesync projects create <name>.");
    const framework = (flags.framework as string | undefined) ?? "other";
    if (!FRAMEWORKS.includes(framework as (typeof FRAMEWORKS)[number])) {
      throw new CliError("INVALID_ARGUMENT", `--framework is one of ${FRAMEWORKS.join(", ")}.`);
    }
    const project = await ctx.client.projects.create({
      name,
      framework: framework as (typeof FRAMEWORKS)[number],
      ...(flags.entry ? { entry: flags.entry as string } : {}),
    });
    ctx.out.result(project, `Created ${printable(project.name)} (${project.id}).`);
    return;
  }
  if (sub === "list" || sub === undefined) {
    const items = await collectAll((cursor) => ctx.client.projects.list({ cursor, limit: 100 }));
    ctx.out.result(
      { items },
      items.length === 0
        ? "No projects yet: `hivesync push` in a folder creates one."
        : items
            .map((p) => `${p.id}  ${printable(p.name)}  (${p.framework}, revision ${p.mirror_revision})`)
            .join("\n"),
    );
    return;
  }
  if (sub === "delete") {
    if (!name)
      throw new CliError(
        "MISSING_ARGUMENT",
        "Which project? hivesync projects delete <id> (see `hivesync projects list`).",
      );
    const project = await ctx.client.projects.get(name, { signal: ctx.signal });
    await ctx.client.projects.delete(project.id, { signal: ctx.signal });
    const linked = await findLinkedProject(ctx, ctx.cwd);
    const unlinked = linked?.projectId === project.id ? await unlinkFolder(linked.root) : null;
    ctx.out.result(
      { deleted: project.id, ...(unlinked ? { unlinked } : {}) },
      `Deleted ${printable(project.name)} (${project.id}) with its mirror and previews.${unlinked ? ` ${unlinked} is no longer linked to it.` : ""}`,
    );
    return;
  }
  throw new CliError("INVALID_ARGUMENT", `Unknown subcommand "projects ${sub}": use create, list or delete.`);
}
