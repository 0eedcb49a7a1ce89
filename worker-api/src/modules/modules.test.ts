// GET /m/<key>.js and /m/blob/<sha256>: the app's module scripts and assets, public and immutable
// because each URL is the hash of what it holds (docs/previews.md §1).
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { r2Keys } from "../../../schema/storage-keys";
import { call } from "../../test/helpers";

const hex = (c: string) => c.repeat(64);

describe("module scripts and assets", () => {
  it("serves a stored script as immutable, same-origin JavaScript, and answers 304 to its etag", async () => {
    const key = hex("a");
    const script = `__hs.f("${key}",function(require,module,exports,__filename,__dirname){module.exports=1;\n});`;
    await env.BLOBS.put(r2Keys.module(key), script);
    const res = await call(`/m/${key}.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/javascript; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(res.headers.get("cross-origin-resource-policy")).toBe("same-origin");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("etag")).toBe(`"${key}"`);
    expect(await res.text()).toBe(script);
    const again = await call(`/m/${key}.js`, { headers: { "if-none-match": `"${key}"` } });
    expect(again.status).toBe(304);
  });

  it("serves an asset copy with its content type", async () => {
    const sha = hex("b");
    await env.BLOBS.put(r2Keys.moduleBlob(sha), "<svg/>", { httpMetadata: { contentType: "image/svg+xml" } });
    const res = await call(`/m/blob/${sha}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/svg+xml");
    expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    // The API's CSP still applies: an SVG opened on its own runs nothing.
    expect(res.headers.get("content-security-policy")).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(await res.text()).toBe("<svg/>");
  });

  it("is 404, never cached, for anything not stored or not named like a key", async () => {
    for (const path of [
      `/m/${hex("c")}.js`,
      `/m/${hex("A")}.js`,
      `/m/${hex("a")}`,
      `/m/${hex("a")}.css`,
      "/m/short.js",
      `/m/blob/${hex("d")}`,
      "/m/blob/not-a-hash",
      `/m/../p/x/blobs/${hex("a")}`,
    ]) {
      const res = await call(path);
      expect(res.status, path).toBe(404);
      expect(res.headers.get("cache-control") ?? "", path).not.toContain("immutable");
    }
  });
});
