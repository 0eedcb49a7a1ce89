import { collectAll } from "../../../core/src";
import type { CommandContext } from "../context";
import { relativeTime } from "../format";
import { CliError } from "../output";
import { PreviewCodes } from "../preview-codes";

type Flags = Record<string, string | boolean | undefined>;

/**
 * `hivesync previews [list] [--project <id>] [--all]` and `hivesync previews cancel <id>`
 *
 * @example
 * await previews(ctx, ["cancel", "pvs_8d1e…"], {});
 */
export async function previews(ctx: CommandContext, args: string[], flags: Flags): Promise<void> {
  const [sub, id] = args;
  const codes = new PreviewCodes(ctx.configDir, ctx.api);
  if (sub === "list" || sub === undefined) {
    const all = flags.all === true;
    const project = flags.project as string | undefined;
    const items = await collectAll((cursor) =>
      ctx.client.previews.list(
        { ...(project ? { project_id: project } : {}), ...(all ? {} : { active: true }), cursor, limit: 100 },
        { signal: ctx.signal },
      ),
    );
    const rows = await Promise.all(
      items.map(async (s) => {
        const code = (await codes.get(s.id))?.code;
        return `${s.id}  ${s.status.padEnd(9)} ${s.platform.padEnd(7)} revision ${s.revision}  ${s.project_id}  started ${relativeTime(s.created_at)}${code ? `  code ${code}` : ""}`;
      }),
    );
    ctx.out.result(
      { items },
      items.length === 0
        ? all
          ? "No previews."
          : "No live previews: `hivesync preview` starts one (`--all` lists ended ones too)."
        : rows.join("\n"),
    );
    return;
  }
  if (sub === "cancel") {
    if (!id)
      throw new CliError(
        "MISSING_ARGUMENT",
        "Which preview? hivesync previews cancel <id> (see `hivesync previews`).",
      );
    const session = await ctx.client.previews.cancel(id, { signal: ctx.signal });
    await codes.forget(id);
    ctx.out.result(session, `Cancelled ${id}: its code and link stop working.`);
    return;
  }
  throw new CliError("INVALID_ARGUMENT", `Unknown subcommand "previews ${sub}": use list or cancel.`);
}
