import { randomToken, timingSafeEqual } from "./crypto";
import { signature, verifySignature } from "./signatures";

export const PREVIEW_TOKEN_PREFIX = "pvt_";
const PURPOSE = "preview-viewer";

/**
 * A viewer's token for one session: `pvt_<session>.<viewer>.<signature>`, the server secret's
 * signature of session and viewer. It reads that session's status, manifests and live channel and
 * nothing else, as long as the session lives. Nothing is stored per token: any number of viewers
 * hold one at no cost to the session, none evicts another, and checking one needs no Durable
 * Object call (docs/scale.md §"A room of phones").
 */
export async function issueViewerToken(
  secret: string,
  sessionId: string,
): Promise<{ token: string; viewerId: string }> {
  const viewerId = randomToken(12);
  const mac = await signature(secret, PURPOSE, `${sessionId}.${viewerId}`);
  return { token: `${PREVIEW_TOKEN_PREFIX}${sessionId}.${viewerId}.${mac}`, viewerId };
}

/** The session a preview token names, by its shape alone (whatever its other parts). */
export function tokenSession(token: string): string | null {
  return /^pvt_(pvs_[A-Za-z0-9_-]+)\./.exec(token)?.[1] ?? null;
}

/** A token's parts, by shape alone (the session it names is told apart before its signature is checked). */
export function viewerTokenParts(token: string): { sessionId: string; viewerId: string; mac: string } | null {
  const match = /^pvt_(pvs_[A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]{43})$/.exec(token);
  return match
    ? { sessionId: match[1] as string, viewerId: match[2] as string, mac: match[3] as string }
    : null;
}

/** The viewer a token was issued to, or null when the server did not sign it. */
export async function verifiedViewer(
  secret: string,
  token: string,
): Promise<{ sessionId: string; viewerId: string } | null> {
  const parts = viewerTokenParts(token);
  if (!parts) return null;
  const ok = await verifySignature(secret, PURPOSE, `${parts.sessionId}.${parts.viewerId}`, parts.mac);
  return ok ? { sessionId: parts.sessionId, viewerId: parts.viewerId } : null;
}

/** The query parameter of a preview link that carries its key (`/p/<code>?hs=<key>`). */
export const LINK_KEY_PARAM = "hs";

/**
 * The key of a preview's link and QR code: the server secret's signature of the session, cut to 22
 * characters (132 bits). Opening a link with it is no guess — no one guesses 132 bits — so it opens
 * its preview even from an address that is out of code guesses; a typed code has no key and counts.
 */
export async function previewLinkKey(secret: string, sessionId: string): Promise<string> {
  return (await signature(secret, "preview-link", sessionId)).slice(0, 22);
}

/** Whether `key` is the link key of `sessionId` (compared in constant time). */
export async function isPreviewLinkKey(secret: string, sessionId: string, key: string): Promise<boolean> {
  return timingSafeEqual(await previewLinkKey(secret, sessionId), key);
}
