import path from "node:path";
import { startPreview, watchPreview } from "../../../desktop/src";
import type { CommandContext } from "../context";
import { CliError } from "../output";
import { terminalQr } from "../terminal-qr";
import { pushFolder } from "./push";

type Flags = Record<string, string | boolean | undefined>;
const PLATFORMS = ["ios", "android", "web"] as const;

/** `hivesync preview [dir] [--project <id>] [--platform ios]`: push, start, show the QR, follow the status. */
export async function preview(ctx: CommandContext, args: string[], flags: Flags): Promise<void> {
  const platform = (flags.platform as string | undefined) ?? "ios";
  if (!PLATFORMS.includes(platform as (typeof PLATFORMS)[number])) {
    throw new CliError("INVALID_ARGUMENT", `--platform is one of ${PLATFORMS.join(", ")}.`);
  }
  const dir = path.resolve(ctx.cwd, args[0] ?? ".");
  const pushed = await pushFolder(ctx, dir, flags);
  ctx.out.say(
    `Mirrored ${pushed.files} files at revision ${pushed.revision} (sent ${pushed.uploaded_files}).`,
  );
  const started = await startPreview(ctx.client, pushed.project_id, {
    platform: platform as (typeof PLATFORMS)[number],
  });
  ctx.out.say("");
  ctx.out.say(terminalQr(started.link_url));
  ctx.out.say(`Scan the QR code, open ${started.link_url}, or type ${started.code} in the HiveSync app.`);
  const final = await watchPreview(ctx.client, started.session_id, {
    signal: ctx.signal,
    until: "ready",
    onChange: (s) =>
      ctx.out.progress(`${s.status}${s.stage ? ` (${s.stage})` : ""} ${Math.round(s.progress * 100)}%`),
  });
  const result = {
    session_id: started.session_id,
    project_id: pushed.project_id,
    revision: pushed.revision,
    status: final.status,
    code: started.code,
    link_url: started.link_url,
    deep_link: started.deep_link,
    expires_at: started.expires_at,
    ...(final.bundle ? { bundle: final.bundle } : {}),
    ...(final.error ? { error: final.error } : {}),
  };
  if (final.status !== "ready") {
    ctx.out.result(result);
    throw new CliError(
      final.error?.code?.toUpperCase() ?? "PREVIEW_FAILED",
      `The preview ended ${final.status}: ${final.error?.message ?? "no details"}.`,
    );
  }
  ctx.out.result(
    result,
    `Ready: ${final.bundle?.file_count} files. Code ${started.code}, valid until ${started.expires_at}.`,
  );
}
