import type { Context } from "hono";
import { getConfig } from "../config";
import type { AppEnv } from "../env";
import { qrSvg } from "../lib/qr";
import { LINK_KEY_PARAM } from "../lib/viewer-tokens";

/** The public origin for links a phone opens: PUBLIC_URL, else the origin this request came to. */
export function publicOrigin(c: Context<AppEnv>): string {
  return getConfig(c.env).publicUrl ?? new URL(c.req.url).origin;
}

/**
 * Links and QR for a code: `kind` "p" is a preview, "l" a device link. A preview's link carries its
 * key (`linkKey`), so opening it is no code guess (lib/viewer-tokens.ts `previewLinkKey`).
 */
export function codeLinks(c: Context<AppEnv>, kind: "p" | "l", code: string, linkKey?: string) {
  const key = linkKey ? `?${LINK_KEY_PARAM}=${linkKey}` : "";
  const linkUrl = `${publicOrigin(c)}/${kind}/${code}${key}`;
  const deepLink = kind === "p" ? `hivesync://preview?code=${code}` : `hivesync://link?code=${code}`;
  return { link_url: linkUrl, deep_link: deepLink, qr_svg: qrSvg(linkUrl) };
}
