import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { SDK_TABLES } from "../../../runtime/dist/sdks.js";
import { createApp } from "../app";
import { RUNTIME_HASH, RUNTIME_SCRIPT, RUNTIME_URL } from "./runtime-script";

// Served on a preview origin only (docs/architecture.md "Two origins"), under the app's real factory.
const app = createApp();
const PREVIEW = "https://pvs-01m98yy17rrx4n9p1w38x43wyh5wd2mgj748.preview.localhost";
const get = (path: string) => app.request(`${PREVIEW}${path}`, {}, env);

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

describe("GET /runtime/<hash>.js: the preview runtime", () => {
  it("serves the built runtime, immutable, as JavaScript, under the strict API CSP", async () => {
    const res = await get(RUNTIME_URL);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/javascript; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(res.headers.get("content-security-policy")).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("cross-origin-resource-policy")).toBe("same-origin");
    const body = await res.text();
    expect(body).toBe(RUNTIME_SCRIPT);
    // The URL is the content: the hash in it is the hash of the bytes served.
    expect((await sha256Hex(body)).slice(0, 16)).toBe(RUNTIME_HASH);
    expect(body).toContain("__hs");
  });

  it("is 404 for any other hash or name", async () => {
    for (const path of [
      `/runtime/${"0".repeat(16)}.js`,
      `/runtime/${RUNTIME_HASH}`,
      `/runtime/${RUNTIME_HASH}.css`,
      `/runtime/${RUNTIME_HASH.toUpperCase()}.js`,
      "/runtime/",
    ]) {
      const res = await get(path);
      expect(res.status, path).toBe(404);
      expect(res.headers.get("cache-control") ?? "", path).not.toContain("immutable");
    }
  });
});

describe("GET /runtime/c/<hash>.js and /runtime/a/<file>: the SDK chunks and package assets", () => {
  const chunk = SDK_TABLES["58"]?.chunks.find((c) => c.name === "react") ?? { url: "" };

  it("serves a chunk of the SDK, immutable, as JavaScript, only to this origin", async () => {
    const res = await get(chunk.url);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/javascript; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(res.headers.get("cross-origin-resource-policy")).toBe("same-origin");
    const body = await res.text();
    // It registers React's own modules with the page's registry.
    expect(body.startsWith("__hs.c(")).toBe(true);
    expect(body).toContain('"react/index.js"');
    // Its name is its content.
    expect((await sha256Hex(body)).slice(0, 16)).toBe(chunk.url.slice("/runtime/c/".length, -".js".length));
  });

  it("is 404 for a name that is not a content hash, without reading the asset store", async () => {
    for (const path of [
      "/runtime/c/0000000000000000.js",
      "/runtime/c/../index.js",
      "/runtime/c/abc.js",
      `/runtime/a/${"0".repeat(64)}.exe`,
      `/runtime/a/${"0".repeat(64)}.ttf`,
    ]) {
      const res = await get(path);
      expect(res.status, path).toBe(404);
      expect(res.headers.get("cache-control") ?? "", path).not.toContain("immutable");
    }
  });
});
