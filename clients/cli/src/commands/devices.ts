import { linkDevice } from "../../../desktop/src";
import type { CommandContext } from "../context";
import { printable } from "../format";
import { CliError } from "../output";
import { phoneReachHint, terminalQr } from "../terminal-qr";

type Flags = Record<string, string | boolean | undefined>;

/**
 * `hivesync devices link | list | revoke <id>`
 *
 * @example
 * await devices(ctx, ["link"], {});
 */
export async function devices(ctx: CommandContext, args: string[], _flags: Flags): Promise<void> {
  const [sub, id] = args;
  if (sub === "link") {
    const link = await linkDevice(ctx.client);
    ctx.out.say(terminalQr(link.link_url));
    ctx.out.say("");
    ctx.out.say(`Scan with your phone, or type ${link.code} in the HiveSync app (valid 10 minutes, once).`);
    const hint = phoneReachHint(link.link_url);
    if (hint) ctx.out.say(hint);
    ctx.out.result(link, `Code ${link.code}, expires ${link.expires_at}.`);
    return;
  }
  if (sub === "list" || sub === undefined) {
    const items = await ctx.client.devices.list();
    ctx.out.result(
      { items },
      items.length === 0
        ? "No linked devices: `hivesync devices link` shows a QR code to pair one."
        : items
            .map((d) => `${d.id}  ${printable(d.name)} (${d.platform})${d.current ? "  ← this one" : ""}`)
            .join("\n"),
    );
    return;
  }
  if (sub === "revoke") {
    if (!id)
      throw new CliError(
        "MISSING_ARGUMENT",
        "Which device? hivesync devices revoke <id> (see `hivesync devices list`).",
      );
    await ctx.client.devices.revoke(id);
    ctx.out.result({ revoked: id }, `Unlinked ${id}; its sign-in stopped working.`);
    return;
  }
  throw new CliError("INVALID_ARGUMENT", `Unknown subcommand "devices ${sub}": use link, list or revoke.`);
}
