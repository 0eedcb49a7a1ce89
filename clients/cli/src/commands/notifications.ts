import type { Notification } from "../../../../schema/api/notifications";
import { NotificationPoller } from "../../../core/src";
import type { CommandContext } from "../context";

type Flags = Record<string, string | boolean | undefined>;

function line(n: Notification): string {
  const what = Object.entries(n.payload)
    .map(([k, v]) => `${k}=${v}`)
    .join(" ");
  return `${n.created_at}  ${n.read_at ? " " : "•"} ${n.type}  ${what}`;
}

/** `hivesync notifications [--unread] [--watch]` */
export async function notifications(ctx: CommandContext, _args: string[], flags: Flags): Promise<void> {
  const unread = flags.unread === true;
  const page = await ctx.client.notifications.list({ unread, limit: 50 });
  ctx.out.result(
    { items: page.items, unread_count: page.unread_count },
    page.items.length === 0
      ? "No notifications."
      : `${page.items.map(line).join("\n")}\n${page.unread_count} unread`,
  );
  if (flags.watch !== true) return;
  // --watch keeps printing new notifications (one JSON line each with --json) until Ctrl-C.
  const seen = new Set(page.items.map((n) => n.id));
  const poller = new NotificationPoller(ctx.client, {
    unread,
    intervalMs: 2000,
    onNotification: (n) => {
      if (seen.has(n.id)) return;
      seen.add(n.id);
      if (ctx.out.json) process.stdout.write(`${JSON.stringify(n)}\n`);
      else ctx.out.say(line(n));
    },
  });
  await poller.run(ctx.signal);
}
