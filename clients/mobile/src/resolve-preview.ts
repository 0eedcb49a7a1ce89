import {
  type CallOptions,
  formatCode,
  type HiveSyncClient,
  HiveSyncError,
  normalizeCode,
  type ResolvePreviewResult,
} from "../../core/src";
import { PreviewHandle } from "./preview-handle";

/**
 * A preview opened with its code: every request it makes carries the preview-scoped `pvt_…`
 * token, which reads this one session and nothing else, and dies with it.
 *
 * @example
 * const preview = await resolvePreview(client, "WDJB-MJHT");
 * console.log(preview.resolved.project.name, preview.resolved.platform);
 */
export class ResolvedPreview extends PreviewHandle {
  /** What `POST /preview/resolve` answered (token, expiry, platform, project name). */
  readonly resolved: ResolvePreviewResult;

  constructor(client: HiveSyncClient, resolved: ResolvePreviewResult) {
    super(client, resolved.session_id, { bearer: resolved.access_token });
    this.resolved = resolved;
  }
}

/**
 * The canonical `XXXX-XXXX` form of a typed code, or `INVALID_CODE` (status 0) for a string that
 * cannot be one — checked locally so an obvious typo does not cost one of the IP's 5 wrong guesses
 * per 10 minutes.
 *
 * @example
 * checkCode("wdjb mjht"); // "WDJB-MJHT"
 */
export function checkCode(code: string): string {
  const letters = normalizeCode(code);
  if (!letters) {
    throw new HiveSyncError({
      status: 0,
      code: "INVALID_CODE",
      message: "A code is 8 letters like WDJB-MJHT (no vowels or digits). Check it and try again.",
    });
  }
  return formatCode(letters);
}

/**
 * The code and key of a preview link (`https://…/p/WDJB-MJHT?hs=<key>`, what a QR code holds), or
 * null for anything else.
 *
 * @example
 * previewLink("https://hivesync.dev/p/WDJB-MJHT?hs=q2V0aW5nLWtleS0xMjM0NTY"); // { code: "WDJB-MJHT", key: "q2V0…" }
 */
export function previewLink(input: string): { code: string; key?: string } | null {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    return null;
  }
  const code = /^\/p\/([^/]+)/.exec(url.pathname)?.[1];
  if (!code) return null;
  const key = url.searchParams.get("hs");
  return key ? { code: decodeURIComponent(code), key } : { code: decodeURIComponent(code) };
}

/**
 * Opens a preview from its code — typed, or the QR code's whole link, whose key opens it without
 * counting as a guess — no sign-in needed. Case, spaces and hyphens do not matter; something that
 * cannot be a code fails locally with `INVALID_CODE`. An expired preview gives 410 `PREVIEW_EXPIRED`.
 *
 * @example
 * const preview = await resolvePreview(client, "wdjb mjht");
 * await preview.waitUntilReady();
 * const { files } = await fetchBundle(preview, { store });
 */
export async function resolvePreview(
  client: HiveSyncClient,
  code: string,
  options?: CallOptions,
): Promise<ResolvedPreview> {
  const link = previewLink(code);
  const body = link ? { ...link, code: checkCode(link.code) } : { code: checkCode(code) };
  const resolved = await client.previews.resolve(body, options);
  return new ResolvedPreview(client, resolved);
}
