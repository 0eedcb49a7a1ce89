import type { Env } from "../env";
import { randomToken, sha256Hex } from "../lib/crypto";
import { PREVIEW_TOKEN_PREFIX } from "./access";
import { previewStub } from "./stub";

/**
 * A new preview-scoped token for one session (`pvt_<session>.<secret>`): it reads that session's
 * status, bundle and live channel and nothing else, and dies with the session. The object keeps
 * only its hash. `/preview/resolve` hands these to phones; the preview page mints one per load.
 */
export async function issuePreviewToken(
  env: Pick<Env, "PREVIEW_SESSION">,
  sessionId: string,
): Promise<string> {
  const token = `${PREVIEW_TOKEN_PREFIX}${sessionId}.${randomToken(32)}`;
  await previewStub(env, sessionId).addToken(await sha256Hex(token));
  return token;
}
