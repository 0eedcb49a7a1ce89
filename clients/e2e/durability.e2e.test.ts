// Stops the local stack and starts it again on the same state folder: accounts, projects, the
// mirror and its blobs, preview sessions (with their pending expiry alarms), jobs and notifications
// must all still be there.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type LocalStack, startLocalStack } from "./local-stack";
import { api, sha256 } from "./stack-api";

async function until<T>(probe: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}

let stateDir = "";
let stack: LocalStack | undefined;
afterAll(async () => {
  await stack?.stop();
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
});

describe("durability across a restart", () => {
  it("keeps accounts, projects, mirror, blobs, sessions (with alarms), jobs and notifications", async () => {
    stateDir = await mkdtemp(path.join(tmpdir(), "hivesync-durable-"));
    stack = await startLocalStack({ stateDir });
    const reg = await api<{ tokens: { refresh_token: string } }>(stack, "/auth/register", {
      json: { email: "durable@example.com", username: "durable", password: "a long enough password" },
    });
    expect(reg.status).toBe(201);
    const login = await api<{ tokens: { access_token: string } }>(stack, "/auth/login", {
      json: { login: "durable", password: "a long enough password" },
    });
    const token = login.body.tokens.access_token;
    const project = await api<{ id: string }>(stack, "/projects", { token, json: { name: "durable" } });
    const content = "export const kept = true;\n";
    await api(stack, `/projects/${project.body.id}/blobs/${sha256(content)}`, {
      token,
      method: "PUT",
      body: content,
    });
    const commit = await api<{ sync_id: string }>(stack, `/projects/${project.body.id}/mirror/changes`, {
      token,
      json: {
        base_revision: 0,
        changes: [{ op: "put", path: "kept.ts", sha256: sha256(content), size: content.length }],
      },
    });
    await until(
      () =>
        api<{ status: string }>(stack!, `/projects/${project.body.id}/syncs/${commit.body.sync_id}`, {
          token,
        }),
      (r) => r.body.status === "succeeded",
    );
    const job = await api<{ job_id: string }>(stack, "/ai/jobs", {
      token,
      json: { project_id: project.body.id, type: "summarize_file", file_path: "kept.ts" },
    });
    await until(
      () => api<{ status: string }>(stack!, `/ai/jobs/${job.body.job_id}`, { token }),
      (r) => r.body.status === "succeeded",
    );
    const preview = await api<{ session_id: string; code: string; expires_at: string }>(
      stack,
      "/preview/start",
      {
        token,
        json: { project_id: project.body.id, platform: "android" },
      },
    );
    await until(
      () => api<{ status: string }>(stack!, `/preview/sessions/${preview.body.session_id}/status`, { token }),
      (r) => r.body.status === "ready",
    );
    const notesBefore = await until(
      () => api<{ items: { id: string }[] }>(stack!, "/notifications", { token }),
      (r) => r.body.items.length >= 4,
    );

    await stack.stop();
    stack = await startLocalStack({ stateDir });

    // The same access token still works (same auth session in D1, same secret).
    expect((await api<{ user: { username: string } }>(stack, "/auth/me", { token })).body.user.username).toBe(
      "durable",
    );
    expect(
      (await api(stack, "/auth/refresh", { json: { refresh_token: reg.body.tokens.refresh_token } })).status,
    ).toBe(200);
    expect(
      (await api<{ mirror_revision: number }>(stack, `/projects/${project.body.id}`, { token })).body
        .mirror_revision,
    ).toBe(1);
    const file = await fetch(`${stack.url}/api/v1/projects/${project.body.id}/mirror/file?path=kept.ts`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(await file.text()).toBe(content);
    expect(
      (
        await api<{ status: string }>(stack, `/projects/${project.body.id}/syncs/${commit.body.sync_id}`, {
          token,
        })
      ).body.status,
    ).toBe("succeeded");
    expect((await api<{ status: string }>(stack, `/ai/jobs/${job.body.job_id}`, { token })).body.status).toBe(
      "succeeded",
    );
    const session = await api<{ status: string; expires_at: string }>(
      stack,
      `/preview/sessions/${preview.body.session_id}/status`,
      { token },
    );
    expect(session.body.status).toBe("ready");
    expect(session.body.expires_at).toBe(preview.body.expires_at);
    const resolved = await api<{ session_id: string }>(stack, "/preview/resolve", {
      json: { code: preview.body.code },
    });
    expect(resolved.body.session_id).toBe(preview.body.session_id);
    const notesAfter = await api<{ items: { id: string }[] }>(stack, "/notifications", { token });
    expect(notesAfter.body.items.map((n) => n.id)).toEqual(
      expect.arrayContaining(notesBefore.body.items.map((n) => n.id)),
    );
  });
});
