import { describe, expect, it } from "vitest";
import type { Env } from "../env";
import { handleDeadLetter } from "./dead-letter";

/** An API binding that records what the dead-letter handler reports. */
function recordingEnv() {
  const calls: { method: string; args: unknown[] }[] = [];
  const record =
    (method: string) =>
    async (...args: unknown[]) => {
      calls.push({ method, args });
      return { applied: true, changed: true };
    };
  const API = {
    reportPreviewResult: record("reportPreviewResult"),
    finishAiJob: record("finishAiJob"),
    recordSyncResult: record("recordSyncResult"),
  };
  return { env: { API } as unknown as Env, calls };
}

describe("dead letters", () => {
  it("fails a preview build for the revision it was building, so an update does not hang as 'updating'", async () => {
    const { env, calls } = recordingEnv();
    await handleDeadLetter(
      {
        kind: "preview.build",
        session_id: "pvs_0123456789abcdef0123",
        project_id: "prj_0123456789abcdef0123",
        revision: 4,
      },
      env,
    );
    expect(calls).toEqual([
      {
        method: "reportPreviewResult",
        args: [
          "pvs_0123456789abcdef0123",
          { status: "failed", error: expect.objectContaining({ code: "dead_lettered" }), revision: 4 },
        ],
      },
    ]);
  });

  it("drops an unreadable body without reporting anything", async () => {
    const { env, calls } = recordingEnv();
    await handleDeadLetter({ kind: "nope" }, env);
    expect(calls).toEqual([]);
  });
});
