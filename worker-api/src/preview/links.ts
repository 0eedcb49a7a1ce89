import type { Context } from "hono";
import { getConfig } from "../config";
import type { AppEnv } from "../env";
import { qrSvg } from "../lib/qr";

/** The public origin for links a phone opens: PUBLIC_URL, else the origin this request came to. */
export function publicOrigin(c: Context<AppEnv>): string {
  return getConfig(c.env).publicUrl ?? new URL(c.req.url).origin;
}

/** Links and QR for a code: `kind` "p" is a preview, "l" a device link. */
export function codeLinks(c: Context<AppEnv>, kind: "p" | "l", code: string) {
  const linkUrl = `${publicOrigin(c)}/${kind}/${code}`;
  const deepLink = kind === "p" ? `hivesync://preview?code=${code}` : `hivesync://link?code=${code}`;
  return { link_url: linkUrl, deep_link: deepLink, qr_svg: qrSvg(linkUrl) };
}
