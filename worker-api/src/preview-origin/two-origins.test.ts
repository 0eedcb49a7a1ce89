// The two origins (issue 19, docs/architecture.md "Two origins"): the shell page on the API's
// origin, the app's frame, runtime and modules on the session's own preview origin, and nothing of
// one served on the other. The policies are pinned with literal directives, never with the
// constants the code uses, so a weakened header fails here.
import { env, SELF } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { RUNTIME_URL, SHELL_URL } from "../../../runtime/dist/meta.js";
import type { BundleManifest } from "../../../schema/api/previews";
import type { Env as ConsumerEnv } from "../../../worker-consumers/src/env";
import { handlePreviewBuild } from "../../../worker-consumers/src/handlers/preview-build";
import {
  call,
  createProject,
  expectError,
  freshIp,
  json,
  pushFiles,
  registerUser,
  sha256Of,
} from "../../test/helpers";
import { callPreview, previewOriginOf } from "../../test/preview-origin";
import { getConfig } from "../config";
import type { Env } from "../env";
import { isPreviewHost, previewOrigin, previewSessionOfUrl, sessionLabel, sessionOfLabel } from "./origins";

const consumerEnv = { BLOBS: env.BLOBS, API: exports.Internal } as unknown as ConsumerEnv;

const APP = {
  "package.json": JSON.stringify({ name: "hello", main: "App.js" }),
  "App.js": `import { Text } from "react-native";
import logo from "./logo.png";
export default function App() {
  return <Text>Hello</Text>;
}
export { logo };
`,
  "logo.png": "not really a png",
};

async function readySession() {
  const user = await registerUser();
  const project = await createProject(user, { name: "Two origins", framework: "expo" });
  await pushFiles(user, project.id, APP);
  const res = await call("/api/v1/preview/start", {
    token: user.access,
    body: { project_id: project.id, platform: "web" },
  });
  expect(res.status).toBe(202);
  const started = await json<{ session_id: string; code: string }>(res);
  await handlePreviewBuild(
    { kind: "preview.build", session_id: started.session_id, project_id: project.id, revision: 1 },
    consumerEnv,
  );
  const manifest = await json<BundleManifest>(
    await call(`/api/v1/preview/bundle/${started.session_id}`, { token: user.access }),
  );
  return { user, project, started, manifest };
}

/** A header's directives, in order. */
const directives = (header: string | null) => (header ?? "").split(";").map((d) => d.trim());

describe("where a preview runs", () => {
  it("is an origin per session, named by the session id as a DNS label, and nothing else is one", () => {
    const config = getConfig(env as unknown as Env);
    const id = "pvs_01M98YY17RRX4N9P1W38X43WYH5WD2MGJ748";
    expect(sessionLabel(id)).toBe("pvs-01m98yy17rrx4n9p1w38x43wyh5wd2mgj748");
    expect(sessionOfLabel("PVS-01m98yy17rrx4n9p1w38x43wyh5wd2mgj748")).toBe(id);
    expect(previewOrigin(config, "http://127.0.0.1:8787/p/ABCD-EFGH", id)).toBe(
      "http://pvs-01m98yy17rrx4n9p1w38x43wyh5wd2mgj748.preview.localhost:8787",
    );
    expect(previewSessionOfUrl(config, `http://${sessionLabel(id)}.preview.localhost:8787/x`)).toBe(id);
    for (const url of [
      "http://localhost:8787/",
      "http://preview.localhost:8787/",
      "http://evil.com/pvs-01m98yy17rrx4n9p1w38x43wyh5wd2mgj748.preview.localhost",
      "http://pvs-short.preview.localhost/",
    ])
      expect(previewSessionOfUrl(config, url)).toBeNull();
    expect(isPreviewHost(config, "http://localhost:8787/")).toBe(false);
    expect(isPreviewHost(config, "http://a.b.preview.localhost:8787/")).toBe(true);
  });

  it("follows a configured PREVIEW_ORIGIN_TEMPLATE (a registrable domain of its own)", () => {
    const config = {
      ...getConfig(env as unknown as Env),
      previewOriginTemplate: "https://{session}.hivesync-preview.dev",
      publicUrl: "https://api.hivesync.dev",
    };
    const id = "pvs_01M98YY17RRX4N9P1W38X43WYH5WD2MGJ748";
    const origin = previewOrigin(config, "https://api.hivesync.dev/p/X", id);
    expect(origin).toBe("https://pvs-01m98yy17rrx4n9p1w38x43wyh5wd2mgj748.hivesync-preview.dev");
    expect(previewSessionOfUrl(config, `${origin}/settings`)).toBe(id);
    expect(isPreviewHost(config, `${origin}/`)).toBe(true);
    expect(previewSessionOfUrl(config, "https://api.hivesync.dev/")).toBeNull();
    expect(previewSessionOfUrl(config, "https://x.hivesync-preview.dev.evil.com/")).toBeNull();
    // A deeper name under the preview domain names no session, and is still no host of the API's.
    expect(previewSessionOfUrl(config, `https://a.${origin.slice("https://".length)}/`)).toBeNull();
    expect(isPreviewHost(config, "https://a.b.hivesync-preview.dev/")).toBe(true);
  });
});

describe("production's preview origin", () => {
  const production = (vars: Record<string, string>) =>
    getConfig({
      ...(env as unknown as Env),
      ENVIRONMENT: "production",
      JWT_SECRET: "a-production-secret-of-more-than-32-bytes",
      PUBLIC_URL: "https://api.hivesync.dev",
      PREVIEW_ORIGIN_TEMPLATE: "https://{session}.hivesync-preview.dev",
      ...vars,
    } as Env).misconfiguration;

  it("is a registrable domain of its own, one origin per session, framed by PUBLIC_URL", () => {
    expect(production({})).toBeNull();
    expect(production({ PREVIEW_ORIGIN_TEMPLATE: "" })).toMatch(/PREVIEW_ORIGIN_TEMPLATE is not set/);
    expect(production({ PREVIEW_ORIGIN_TEMPLATE: "http://{session}.hivesync-preview.dev" })).toMatch(
      /must look like https/,
    );
    expect(production({ PREVIEW_ORIGIN_TEMPLATE: "https://previews.hivesync-preview.dev" })).toMatch(
      /must look like/,
    );
    expect(production({ PUBLIC_URL: "" })).toMatch(/PUBLIC_URL is not set/);
    expect(production({ PREVIEW_ORIGIN_TEMPLATE: "https://{session}.previews.api.hivesync.dev" })).toMatch(
      /subdomain of PUBLIC_URL/,
    );
  });
});

describe("the shell on the API's origin: /p/<code> of a ready session", () => {
  it("is the bar's script and one sandboxed frame on the session's origin, under a pinned policy", async () => {
    const { started } = await readySession();
    const res = await call(`/p/${started.code}`, { ip: freshIp() });
    expect(res.status).toBe(200);
    const frameOrigin = previewOriginOf(started.session_id);
    expect(directives(res.headers.get("content-security-policy"))).toEqual([
      "default-src 'none'",
      "script-src 'self'",
      "style-src 'self'",
      "img-src 'self' data:",
      "connect-src 'self'",
      `frame-src ${frameOrigin}`,
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
    ]);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const page = await res.text();
    expect(page).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline script
    expect(page).toContain(`<script src="${SHELL_URL}" data-session="${started.session_id}"`);
    const iframe = /<iframe [^>]*>/.exec(page)?.[0] ?? "";
    expect(iframe).toContain(`src="${frameOrigin}/"`);
    // The app can neither navigate the shell away nor reach it: no top navigation in the sandbox.
    expect(iframe).toMatch(/sandbox="allow-scripts allow-same-origin [^"]*"/);
    expect(iframe).not.toContain("allow-top-navigation");
    expect(iframe).toContain('referrerpolicy="no-referrer"');
    // The token is the shell's alone: in its data attribute, never in the frame's URL.
    const token = /data-token="(pvt_[^"]+)"/.exec(page)?.[1];
    expect(token).toBeTruthy();
    expect(iframe).not.toContain("pvt_");
    expect((await call(SHELL_URL)).headers.get("content-type")).toBe("application/javascript; charset=utf-8");
    expect((await call("/shell/0000000000000000.js")).status).toBe(404);
  });

  it("opens the app at its own path: /p/<code>/settings frames <preview origin>/settings", async () => {
    const { started } = await readySession();
    const page = await (await call(`/p/${started.code}/settings?tab=2`, { ip: freshIp() })).text();
    expect(page).toContain(`src="${previewOriginOf(started.session_id)}/settings?tab=2"`);
    expect(page).toContain(`data-base="/p/${started.code}"`);
  });

  it("does not serve what only a preview origin serves: the runtime, module scripts, assets", async () => {
    const { manifest } = await readySession();
    const module = Object.values(manifest.app!.modules!)[0]!;
    // The app's own asset's bytes, asked for as any type: never served on the API's origin.
    const logo = await sha256Of(APP["logo.png"]);
    for (const path of [
      RUNTIME_URL,
      module.url,
      manifest.app!.sdk!.chunks[0]!,
      `/m/blob/${logo}`,
      `/m/blob/${logo}.png`,
      `/m/blob/${logo}.html`,
    ])
      await expectError(await call(path), 404, "NOT_FOUND");
  });
});

describe("a preview origin", () => {
  it("serves the frame under a pinned policy that only the API's origin may embed", async () => {
    const { started } = await readySession();
    const res = await callPreview(started.session_id, "/");
    expect(res.status).toBe(200);
    expect(directives(res.headers.get("content-security-policy"))).toEqual([
      "default-src 'none'",
      "script-src 'self'",
      "style-src 'self'",
      "img-src 'self' data: blob: https: http://localhost:* http://127.0.0.1:* http://*.localhost:*",
      "media-src 'self' data: blob: https: http://localhost:* http://127.0.0.1:* http://*.localhost:*",
      "font-src 'self' data: https: http://localhost:* http://127.0.0.1:* http://*.localhost:*",
      "connect-src 'self' https: wss: http://localhost:* http://127.0.0.1:* http://*.localhost:* ws://localhost:* ws://127.0.0.1:* ws://*.localhost:*",
      "frame-src https:",
      "worker-src blob:",
      "manifest-src 'none'",
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors https://localhost https://127.0.0.1",
    ]);
    expect(res.headers.get("x-frame-options")).toBeNull();
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    const page = await res.text();
    expect(page).toContain(
      `<script src="${RUNTIME_URL}" data-shell-origins="https://localhost https://127.0.0.1">`,
    );
    expect(page).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(page).not.toContain("pvt_");
    // Any path is the frame: the app's own routes reload into it.
    expect((await callPreview(started.session_id, "/settings/profile")).status).toBe(200);
  });

  it("serves the runtime, the SDK's chunks and the app's modules, and nothing of the API", async () => {
    const { started, manifest } = await readySession();
    const id = started.session_id;
    expect((await callPreview(id, RUNTIME_URL)).status).toBe(200);
    expect((await callPreview(id, manifest.app!.sdk!.chunks[0]!)).status).toBe(200);
    for (const module of Object.values(manifest.app!.modules!)) {
      const res = await callPreview(id, module.url);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("application/javascript; charset=utf-8");
    }
    for (const path of ["/api/v1/openapi.json", "/health", "/docs", `/p/${started.code}`, SHELL_URL]) {
      const res = await callPreview(id, path);
      // Every path is the frame document, never the API's answer.
      expect(res.headers.get("content-type")).toBe("text/html; charset=UTF-8");
      expect(await res.text()).not.toMatch(/openapi|swagger|"status":"ok"|data-token/i);
    }
    for (const path of ["/api/v1/auth/register", "/api/v1/preview/resolve"]) {
      const res = await callPreview(id, path);
      expect((await res.text()).includes("HiveSync preview")).toBe(true);
    }
  });

  it("answers anything but a read with 405, and a host naming no session with 404", async () => {
    const { started } = await readySession();
    const post = await fetchPreview(started.session_id, "/api/v1/auth/register", "POST");
    await expectError(post, 405, "METHOD_NOT_ALLOWED");
    const res = await fetchPreview("pvs_not-a-session", "/", "GET", "https://nothing.preview.localhost/");
    await expectError(res, 404, "NOT_FOUND");
  });
});

async function fetchPreview(sessionId: string, path: string, method: string, url?: string) {
  return SELF.fetch(url ?? `${previewOriginOf(sessionId)}${path}`, {
    method,
    headers: { "cf-connecting-ip": "203.0.113.9", "content-type": "application/json" },
    body: method === "GET" ? undefined : "{}",
  });
}
