// The preview build against a fake API (its RPC calls) and real R2: what the manifest's asset URLs
// are, and the manifest a viewer gets beside the owner's.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { BundleManifest } from "../../../schema/api/previews";
import { sha256 } from "../../test/api-client";
import type { Env } from "../env";
import { assetUrl, handlePreviewBuild } from "./preview-build";

const APP = {
  "App.js": [
    'const logo = require("./assets/logo.svg");',
    'const license = require("./assets/LICENSE");',
    "module.exports = function App() { return [logo, license]; };",
    "",
  ].join("\n"),
  "assets/logo.svg": '<svg xmlns="http://www.w3.org/2000/svg"/>',
  "assets/LICENSE": "MIT\n",
  "assets/Favicon.ICO": "not really an icon",
  "app.json": JSON.stringify({ expo: { web: { favicon: "./assets/Favicon.ICO" } } }),
  "config/secrets.js": 'module.exports = "sk_live_not_for_viewers";\n',
  "package.json": '{"name":"demo"}',
};

/** The API as the build calls it, over a revision of `files` stored in R2; records what is reported. */
async function fakeApi(projectId: string, sessionId: string, files: Record<string, string>) {
  const stored: { path: string; sha256: string; size: number; pack: null; packOffset: null }[] = [];
  for (const [path, content] of Object.entries(files)) {
    const hash = await sha256(content);
    await env.BLOBS.put(`p/${projectId}/blobs/${hash}`, content);
    stored.push({
      path,
      sha256: hash,
      size: new TextEncoder().encode(content).length,
      pack: null,
      packOffset: null,
    });
  }
  const reports: unknown[] = [];
  const API = {
    startPreviewBuild: async () => ({
      session_id: sessionId,
      platform: "web",
      revision: 1,
      project: { id: projectId, name: "assets", framework: "expo", entry: "App.js" },
    }),
    getMirrorFiles: async () => stored.sort((a, b) => (a.path < b.path ? -1 : 1)),
    getDependencies: async () => [],
    reportPreviewStage: async () => undefined,
    reportPreviewResult: async (_id: string, outcome: unknown) => {
      reports.push(outcome);
      return { applied: true };
    },
    previewStatus: async () => "ready",
  };
  return { env: { ...env, API } as unknown as Env, reports };
}

describe("asset URLs", () => {
  it("carry the file's extension in lower case, and none when it has none", () => {
    const sha = "a".repeat(64);
    expect(assetUrl({ path: "assets/icon@2x.png", sha256: sha })).toBe(`/m/blob/${sha}.png`);
    expect(assetUrl({ path: "assets/Favicon.ICO", sha256: sha })).toBe(`/m/blob/${sha}.ico`);
    expect(assetUrl({ path: "assets/page.HTML", sha256: sha })).toBe(`/m/blob/${sha}.html`);
    expect(assetUrl({ path: "assets/LICENSE", sha256: sha })).toBe(`/m/blob/${sha}`);
    expect(assetUrl({ path: "assets/.hidden", sha256: sha })).toBe(`/m/blob/${sha}`);
    expect(assetUrl({ path: "v1.2/data", sha256: sha })).toBe(`/m/blob/${sha}`);
    expect(assetUrl({ path: "assets/odd.p~g", sha256: sha })).toBe(`/m/blob/${sha}`);
  });

  it("a built app's modules and favicon point at /m/blob/<sha256>.<ext>; the viewer's manifest is stored beside", async () => {
    const projectId = `prj_${crypto.randomUUID().replace(/-/g, "")}`;
    const sessionId = `pvs_${crypto.randomUUID().replace(/-/g, "")}`;
    const built = await fakeApi(projectId, sessionId, APP);
    await handlePreviewBuild(
      { kind: "preview.build", session_id: sessionId, project_id: projectId, revision: 1 },
      built.env,
    );
    const manifest = (await (
      await env.BLOBS.get(`p/${projectId}/bundles/${sessionId}/1.json`)
    )?.json()) as BundleManifest;
    const app = manifest.app;
    const [logo, license, favicon] = await Promise.all(
      ["assets/logo.svg", "assets/LICENSE", "assets/Favicon.ICO"].map((p) =>
        sha256(APP[p as keyof typeof APP]),
      ),
    );
    expect(app?.favicon).toBe(`/m/blob/${favicon}.ico`);
    const script = async (moduleId: string) => {
      const key = app?.modules?.[moduleId]?.key;
      expect(key, moduleId).toBeDefined();
      return (await env.BLOBS.get(`modules/${key}.js`))?.text();
    };
    expect(await script("assets/logo.svg")).toContain(`{"uri":"/m/blob/${logo}.svg"}`);
    expect(await script("assets/LICENSE")).toContain(`{"uri":"/m/blob/${license}"}`);
    // The bytes are published once, by hash; what type they are served as is the URL's business.
    for (const hash of [logo, license, favicon])
      expect(await env.BLOBS.head(`modules/blob/${hash}`)).not.toBeNull();

    // Beside the owner's manifest, the viewer's: the files the app uses, the favicon among them.
    const viewerBytes = await (
      await env.BLOBS.get(`p/${projectId}/bundles/${sessionId}/1.viewer.json`)
    )?.text();
    const forViewers = JSON.parse(viewerBytes ?? "null") as BundleManifest;
    const used = ["App.js", "assets/Favicon.ICO", "assets/LICENSE", "assets/logo.svg"];
    expect(forViewers.files.map((f) => f.path)).toEqual(used);
    expect(forViewers.app).toEqual(app);
    expect(manifest.files.map((f) => f.path)).toEqual(Object.keys(APP).sort());
    expect(built.reports).toEqual([
      {
        status: "ready",
        revision: 1,
        bundle: expect.objectContaining({
          file_count: Object.keys(APP).length,
          viewer: {
            file_count: used.length,
            total_bytes: forViewers.total_bytes,
            manifest_sha256: await sha256(viewerBytes ?? ""),
          },
        }),
      },
    ]);
  });
});
