// The job pipeline and the preview loop over the real local stack (`wrangler dev`, both Workers,
// real queues), driven over HTTP the way a user's machine and phone do.
import { createHash } from "node:crypto";
import { describe, expect, inject, it } from "vitest";

const base = () => `${inject("apiUrl")}/api/v1`;
const sha256 = (data: string | Uint8Array) => createHash("sha256").update(data).digest("hex");

async function api<T = Record<string, unknown>>(
  path: string,
  init: RequestInit & { token?: string; json?: unknown } = {},
) {
  const headers = new Headers(init.headers);
  if (init.token) headers.set("authorization", `Bearer ${init.token}`);
  if (init.json !== undefined) headers.set("content-type", "application/json");
  const res = await fetch(`${base()}${path}`, {
    ...init,
    method: init.method ?? (init.json !== undefined ? "POST" : "GET"),
    headers,
    body: init.json !== undefined ? JSON.stringify(init.json) : init.body,
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : null) as T };
}

async function until<T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const APP = `import { registerRootComponent } from "expo";

/** The app's root component. */
export default function App(): null {
  // TODO: render something
  return null;
}

export function greet(name: string): string {
  return \`hello \${name}\`;
}
`;

describe("over wrangler dev", () => {
  it("mirror → repo-sync succeeded → notification; AI job → succeeded; preview → ready → phone downloads and verifies", async () => {
    const name = `e2e${Date.now().toString(36)}`;
    const reg = await api<{ tokens: { access_token: string } }>("/auth/register", {
      json: { email: `${name}@example.com`, username: name, password: "a long enough password" },
    });
    expect(reg.status).toBe(201);
    const token = reg.body.tokens.access_token;
    const project = await api<{ id: string }>("/projects", {
      token,
      json: { name: "hello-app", framework: "expo", entry: "App.tsx" },
    });
    const projectId = project.body.id;

    const files: Record<string, string> = {
      "App.tsx": APP,
      "package.json": '{"name":"hello-app"}',
      "assets/a.txt": "a".repeat(5000),
    };
    for (const [, content] of Object.entries(files)) {
      const put = await fetch(`${base()}/projects/${projectId}/blobs/${sha256(content)}`, {
        method: "PUT",
        headers: { authorization: `Bearer ${token}` },
        body: content,
      });
      expect(put.status).toBe(201);
    }
    const commit = await api<{ revision: number; sync_id: string }>(`/projects/${projectId}/mirror/changes`, {
      token,
      json: {
        base_revision: 0,
        changes: Object.entries(files).map(([path, content]) => ({
          op: "put",
          path,
          sha256: sha256(content),
          size: Buffer.byteLength(content),
        })),
      },
    });
    expect(commit.status).toBe(202);

    const sync = await until(
      () =>
        api<{ status: string; stats?: { file_count: number } }>(
          `/projects/${projectId}/syncs/${commit.body.sync_id}`,
          { token },
        ),
      (r) => r.body.status === "succeeded" || r.body.status === "failed",
    );
    expect(sync.body.status).toBe("succeeded");
    expect(sync.body.stats?.file_count).toBe(3);

    const job = await api<{ job_id: string }>("/ai/jobs", {
      token,
      json: { project_id: projectId, type: "summarize_file", file_path: "App.tsx" },
    });
    expect(job.status).toBe(202);
    const done = await until(
      () =>
        api<{
          status: string;
          result?: { summary: string; sections: { title: string }[]; provider: string };
        }>(`/ai/jobs/${job.body.job_id}`, { token }),
      (r) => r.body.status === "succeeded" || r.body.status === "failed",
    );
    expect(done.body.status).toBe("succeeded");
    expect(done.body.result?.provider).toBe("local");
    expect(JSON.stringify(done.body.result)).toContain("greet");

    // Preview: start → ready, observed by long-poll.
    const t0 = performance.now();
    const started = await api<{ session_id: string; code: string }>("/preview/start", {
      token,
      json: { project_id: projectId, platform: "ios" },
    });
    expect(started.status).toBe(202);
    let version = 0;
    let status = "pending";
    while (status !== "ready" && status !== "failed" && performance.now() - t0 < 15_000) {
      const poll = await api<{ status: string; version: number }>(
        `/preview/sessions/${started.body.session_id}/status?wait=20`,
        {
          token,
          headers: version ? { "if-none-match": `"${version}"` } : {},
        },
      );
      if (poll.status === 200) ({ status, version } = poll.body);
    }
    const startToReady = performance.now() - t0;
    expect(status).toBe("ready");
    console.log(`e2e: preview start → ready by long-poll in ${startToReady.toFixed(0)} ms`);

    // The phone: resolve the code, download every file it is given and verify its hash — the
    // files the app uses, not package.json or an asset nothing requires (404 by hash).
    const resolved = await api<{ access_token: string }>("/preview/resolve", {
      json: { code: started.body.code.toLowerCase() },
    });
    expect(resolved.status).toBe(200);
    const phone = resolved.body.access_token;
    const manifest = await api<{ files: { path: string; sha256: string; size: number }[] }>(
      `/preview/bundle/${started.body.session_id}`,
      { token: phone },
    );
    expect(manifest.body.files.map((f) => f.path)).toEqual(["App.tsx"]);
    for (const file of manifest.body.files) {
      const res = await fetch(`${base()}/preview/bundle/${started.body.session_id}/files/${file.sha256}`, {
        headers: { authorization: `Bearer ${phone}` },
      });
      const bytes = new Uint8Array(await res.arrayBuffer());
      expect(sha256(bytes)).toBe(file.sha256);
    }
    const unused = await fetch(
      `${base()}/preview/bundle/${started.body.session_id}/files/${sha256("a".repeat(5000))}`,
      { headers: { authorization: `Bearer ${phone}` } },
    );
    expect(unused.status).toBe(404);
    await unused.arrayBuffer();

    const notes = await until(
      () => api<{ items: { type: string }[] }>("/notifications", { token }),
      (r) =>
        ["repo_sync_succeeded", "ai_job_succeeded", "preview_ready", "preview_opened"].every((t) =>
          r.body.items.some((n) => n.type === t),
        ),
    );
    expect(notes.body.items.map((n) => n.type).sort()).toEqual(
      [
        "ai_job_succeeded",
        "preview_opened",
        "preview_ready",
        "preview_started",
        "repo_sync_succeeded",
      ].sort(),
    );
  });
});
