import type { Env } from "../env";

/** The `PreviewSession` Durable Object of one session (addressed by its id, spec §5). */
export function previewStub(env: Pick<Env, "PREVIEW_SESSION">, sessionId: string) {
  return env.PREVIEW_SESSION.get(env.PREVIEW_SESSION.idFromName(sessionId));
}
