import { NotificationPoller } from "../../../core/src";
import type { CommandContext } from "../context";
import { notificationLine } from "../format";

type Flags = Record<string, string | boolean | undefined>;

/**
 * `hivesync notifications [--unread] [--watch]`: sentences, newest first, with a dot for unread.
 *
 * @example
 * await notifications(ctx, [], { unread: true });
 */
export async function notifications(ctx: CommandContext, _args: string[], flags: Flags): Promise<void> {
  const unread = flags.unread === true;
  const page = await ctx.client.notifications.list({ unread, limit: 50 });
  ctx.out.result(
    { items: page.items, unread_count: page.unread_count },
    page.items.length === 0
      ? unread
        ? "No unread notifications."
        : "No notifications."
      : `${page.items.map((n) => notificationLine(n)).join("\n")}\n${page.unread_count} unread`,
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
      if (ctx.out.json) ctx.out.line(JSON.stringify(n));
      else ctx.out.say(notificationLine(n));
    },
  });
  await poller.run(ctx.signal);
}
