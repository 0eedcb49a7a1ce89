// Pack storage (issue 13): the blobs of a batch upload are one R2 object, and every reader finds a
// blob by its location (schema/blob-location.ts) — the file route, the preview build and the
// bundle's file route (Range included), repo-sync and the AI job — whether it is in a pack or, as
// a single PUT and every blob before packs, its own object.
import { env } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { BundleManifest } from "../../../schema/api/previews";
import { r2Keys } from "../../../schema/storage-keys";
import type { Env as ConsumerEnv } from "../../../worker-consumers/src/env";
import { handleAiRun } from "../../../worker-consumers/src/handlers/ai-run";
import { handlePreviewBuild } from "../../../worker-consumers/src/handlers/preview-build";
import { handleRepoSync } from "../../../worker-consumers/src/handlers/repo-sync";
import {
  call,
  createProject,
  json,
  pushFiles,
  registerUser,
  sha256Of,
  type TestUser,
} from "../../test/helpers";
import { callPreview } from "../../test/preview-origin";

const realApi = exports.Internal;
const consumerEnv = (overrides: Partial<ConsumerEnv> = {}) =>
  ({ BLOBS: env.BLOBS, API: realApi, AI_PROVIDER: "local", ...overrides }) as unknown as ConsumerEnv;

const packsOf = async (projectId: string) =>
  (await env.BLOBS.list({ prefix: `${r2Keys.projectPrefix(projectId)}packs/` })).objects;
const ownObjectsOf = async (projectId: string) =>
  (await env.BLOBS.list({ prefix: `${r2Keys.projectPrefix(projectId)}blobs/` })).objects;

/** A few files of distinct sizes; the one a test looks at is never first, so its offset is not 0. */
function someFiles(tag = crypto.randomUUID()): Record<string, string> {
  return {
    "a/first.txt": `first ${tag}\n`,
    "b/empty.txt": "",
    "c/unicode.txt": `Grüße, 世界 — ${tag} ✓\n`,
    "d/long.txt": `${tag}\n`.repeat(400),
    "e/last.js": `export const tag = ${JSON.stringify(tag)};\n`,
  };
}

async function fileOf(user: TestUser, projectId: string, path: string) {
  return call(`/api/v1/projects/${projectId}/mirror/file?path=${encodeURIComponent(path)}`, {
    token: user.access,
  });
}

async function syncOf(user: TestUser, projectId: string, syncId: string) {
  return json<{ status: string; error?: { code: string; message: string } }>(
    await call(`/api/v1/projects/${projectId}/syncs/${syncId}`, { token: user.access }),
  );
}

describe("a pushed revision in a pack", () => {
  it("is one R2 object, and each file reads back byte for byte through the file route", async () => {
    const user = await registerUser();
    const project = await createProject(user);
    const files = someFiles();
    await pushFiles(user, project.id, files);
    const packs = await packsOf(project.id);
    expect(packs).toHaveLength(1);
    expect(packs[0]?.key).toMatch(new RegExp(`^p/${project.id}/packs/pak_[0-9A-Z]{36}$`));
    expect(packs[0]?.size).toBe(
      Object.values(files).reduce((n, c) => n + new TextEncoder().encode(c).length, 0),
    );
    expect(await ownObjectsOf(project.id)).toEqual([]);
    for (const [path, content] of Object.entries(files)) {
      const res = await fileOf(user, project.id, path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get("content-length"), path).toBe(String(new TextEncoder().encode(content).length));
      expect(await res.text(), path).toBe(content);
    }
    // Its etag is still its hash: a matching If-None-Match reads nothing.
    const etag = `"${await sha256Of(files["e/last.js"] as string)}"`;
    const again = await call(`/api/v1/projects/${project.id}/mirror/file?path=e/last.js`, {
      token: user.access,
      headers: { "if-none-match": etag },
    });
    expect(again.status).toBe(304);
  });

  it("a single PUT of a blob a pack holds keeps the pack's copy as the file's content (200)", async () => {
    const user = await registerUser();
    const project = await createProject(user);
    const files = someFiles();
    await pushFiles(user, project.id, files);
    const content = files["c/unicode.txt"] as string;
    const res = await call(`/api/v1/projects/${project.id}/blobs/${await sha256Of(content)}`, {
      method: "PUT",
      token: user.access,
      headers: { "content-type": "application/octet-stream" },
      body: content,
    });
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ created: false });
    const row = await env.DB.prepare("SELECT pack FROM mirror_blobs WHERE project_id = ? AND sha256 = ?")
      .bind(project.id, await sha256Of(content))
      .first<{ pack: string | null }>();
    expect(row?.pack).toMatch(/^pak_/);
    expect(await (await fileOf(user, project.id, "c/unicode.txt")).text()).toBe(content);
  });
});

describe("the preview of a packed revision", () => {
  const APP = (tag: string) => ({
    "a/notes.md": `# ${tag}\n`,
    "index.js": `import icon from "./assets/icon.svg";\nexport const tag = ${JSON.stringify(tag)};\nexport { icon };\n`,
    "assets/icon.svg": `<svg xmlns="http://www.w3.org/2000/svg"><title>${tag}</title></svg>`,
    "z/data.txt": `${tag} `.repeat(100),
  });

  async function readyPreview(files: Record<string, string>) {
    const user = await registerUser();
    const project = await createProject(user, { name: "Packed", framework: "web", entry: "index.js" });
    await pushFiles(user, project.id, files);
    const started = await json<{ session_id: string }>(
      await call("/api/v1/preview/start", {
        token: user.access,
        body: { project_id: project.id, platform: "web" },
      }),
    );
    await handlePreviewBuild(
      { kind: "preview.build", session_id: started.session_id, project_id: project.id, revision: 1 },
      consumerEnv(),
    );
    const status = await json<{ status: string }>(
      await call(`/api/v1/preview/sessions/${started.session_id}/status`, { token: user.access }),
    );
    expect(status.status).toBe("ready");
    const manifest = await json<BundleManifest>(
      await call(`/api/v1/preview/bundle/${started.session_id}`, { token: user.access }),
    );
    return { user, project, sessionId: started.session_id, manifest };
  }

  it("builds from the pack, lists each file's place, and serves every file (and a Range inside one)", async () => {
    const tag = crypto.randomUUID();
    const files = APP(tag);
    const { user, project, sessionId, manifest } = await readyPreview(files);
    const [pack] = await packsOf(project.id);
    for (const file of manifest.files) {
      expect(file.pack, file.path).toBe(pack?.key.split("/").at(-1));
      expect(typeof file.pack_offset, file.path).toBe("number");
    }
    // The module built from the packed source, and the asset copied out of the pack.
    const entry = manifest.app?.modules?.["index.js"];
    expect(await (await callPreview(sessionId, entry?.url as string)).text()).toContain(tag);
    const icon = files["assets/icon.svg"];
    expect(await (await callPreview(sessionId, `/m/blob/${await sha256Of(icon)}.svg`)).text()).toBe(icon);

    for (const [path, content] of Object.entries(files)) {
      const res = await call(`/api/v1/preview/bundle/${sessionId}/files/${await sha256Of(content)}`, {
        token: user.access,
      });
      expect(res.status, path).toBe(200);
      expect(res.headers.get("content-length"), path).toBe(String(content.length));
      expect(await res.text(), path).toBe(content);
    }
    const data = files["z/data.txt"];
    const url = `/api/v1/preview/bundle/${sessionId}/files/${await sha256Of(data)}`;
    const ranged = await call(url, { token: user.access, headers: { range: "bytes=10-19" } });
    expect(ranged.status).toBe(206);
    expect(ranged.headers.get("content-range")).toBe(`bytes 10-19/${data.length}`);
    expect(await ranged.text()).toBe(data.slice(10, 20));
    const suffix = await call(url, { token: user.access, headers: { range: "bytes=-7" } });
    expect(await suffix.text()).toBe(data.slice(-7));
    // The 416 rules are the file's, not the pack's: the pack goes on past this file's end.
    const notes = files["a/notes.md"];
    const past = await call(`/api/v1/preview/bundle/${sessionId}/files/${await sha256Of(notes)}`, {
      token: user.access,
      headers: { range: `bytes=${notes.length}-` },
    });
    expect(past.status).toBe(416);
    expect(past.headers.get("content-range")).toBe(`bytes */${notes.length}`);
  });

  it("a manifest without places (written before packs) reads each file as its own object", async () => {
    const tag = crypto.randomUUID();
    const files = APP(tag);
    const { user, project, sessionId, manifest } = await readyPreview(files);
    // What a manifest written before packs looked like (no file of this one has been served yet,
    // so no isolate holds it), and where such a bundle's blobs were.
    const legacy = {
      ...manifest,
      files: manifest.files.map(({ pack: _p, pack_offset: _o, ...file }) => file),
    };
    await env.BLOBS.put(r2Keys.bundle(project.id, sessionId, 1), JSON.stringify(legacy));
    for (const content of Object.values(files)) {
      await env.BLOBS.put(r2Keys.blob(project.id, await sha256Of(content)), content);
    }
    // The pack goes, so a read that looked in it instead of the file's own object would fail.
    for (const pack of await packsOf(project.id)) await env.BLOBS.delete(pack.key);
    const data = files["z/data.txt"];
    const url = `/api/v1/preview/bundle/${sessionId}/files/${await sha256Of(data)}`;
    expect(await (await call(url, { token: user.access })).text()).toBe(data);
    const ranged = await call(url, { token: user.access, headers: { range: "bytes=3-5" } });
    expect(await ranged.text()).toBe(data.slice(3, 6));
    // Without its own object such a file is not found: a manifest without places is not looked up
    // in a pack.
    const notes = files["a/notes.md"];
    await env.BLOBS.delete(r2Keys.blob(project.id, await sha256Of(notes)));
    const gone = await call(`/api/v1/preview/bundle/${sessionId}/files/${await sha256Of(notes)}`, {
      token: user.access,
    });
    expect(gone.status).toBe(404);
  });
});

describe("repo-sync of a packed revision", () => {
  it("checks each pack once, and fails the files a short pack cannot hold", async () => {
    const user = await registerUser();
    const project = await createProject(user);
    const files = someFiles();
    const { sync_id, revision } = await pushFiles(user, project.id, files);
    let heads = 0;
    const counting = {
      head: (key: string) => {
        heads += 1;
        return env.BLOBS.head(key);
      },
      put: (...args: Parameters<R2Bucket["put"]>) => env.BLOBS.put(...args),
    };
    const message = { kind: "repo.sync" as const, sync_id, project_id: project.id, revision };
    await handleRepoSync(message, consumerEnv({ BLOBS: counting as unknown as R2Bucket }));
    expect(await syncOf(user, project.id, sync_id)).toMatchObject({ status: "succeeded" });
    expect(heads).toBe(1);

    // The same files in a pack that lost its tail: the last file is past its end, the rest are not.
    const other = await createProject(user);
    const pushed = await pushFiles(user, other.id, files);
    const [pack] = await packsOf(other.id);
    const bytes = new Uint8Array(await (await env.BLOBS.get(pack?.key as string))!.arrayBuffer());
    await env.BLOBS.put(pack?.key as string, bytes.slice(0, bytes.byteLength - 1));
    await handleRepoSync(
      { kind: "repo.sync", sync_id: pushed.sync_id, project_id: other.id, revision: pushed.revision },
      consumerEnv(),
    );
    const failed = await syncOf(user, other.id, pushed.sync_id);
    expect(failed).toMatchObject({ status: "failed", error: { code: "blob_missing" } });
    expect(failed.error?.message).toContain("1 file(s)");
    expect(failed.error?.message).toContain("e/last.js");
  });

  it("fails every file of a pack that is gone", async () => {
    const user = await registerUser();
    const project = await createProject(user);
    const { sync_id, revision } = await pushFiles(user, project.id, { "x.txt": "x", "y.txt": "yy" });
    const [pack] = await packsOf(project.id);
    await env.BLOBS.delete(pack?.key as string);
    await handleRepoSync({ kind: "repo.sync", sync_id, project_id: project.id, revision }, consumerEnv());
    const failed = await syncOf(user, project.id, sync_id);
    expect(failed).toMatchObject({ status: "failed", error: { code: "blob_missing" } });
    expect(failed.error?.message).toContain("2 file(s)");
  });
});

describe("an AI job on a packed file", () => {
  it("reads exactly that file's slice of the pack", async () => {
    const user = await registerUser();
    const project = await createProject(user);
    await pushFiles(user, project.id, {
      "a/before.ts": "export function zebraBefore() {}\n",
      "src/a.ts": "/** Adds. */\nexport function add(a: number, b: number) {\n  return a + b;\n}\n",
      "z/after.ts": "export function quokkaAfter() {}\n",
    });
    const created = await json<{ job_id: string }>(
      await call("/api/v1/ai/jobs", {
        token: user.access,
        body: { project_id: project.id, type: "summarize_file", file_path: "src/a.ts" },
      }),
    );
    await handleAiRun({ kind: "ai.run", job_id: created.job_id }, consumerEnv(), { attempts: 1 });
    const job = await json<{ status: string; result?: unknown }>(
      await call(`/api/v1/ai/jobs/${created.job_id}`, { token: user.access }),
    );
    expect(job.status).toBe("succeeded");
    const text = JSON.stringify(job.result);
    expect(text).toContain("add");
    expect(text).not.toContain("zebraBefore");
    expect(text).not.toContain("quokkaAfter");
  });
});
