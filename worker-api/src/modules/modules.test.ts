// GET /m/<key>.js and /m/blob/<sha256>.<ext>: the app's module scripts and assets, public and
// immutable because each URL is the hash of what it holds (docs/previews.md §1), served on a
// preview's origin (docs/architecture.md "Two origins").
import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { r2Keys } from "../../../schema/storage-keys";
import { sha256Of } from "../../test/helpers";
import { callPreview } from "../../test/preview-origin";

const hex = (c: string) => c.repeat(64);

/** A GET on a session's preview origin, where the app's scripts and assets are served. */
const SESSION = `pvs_${"0".repeat(36)}`;
const call = (path: string, init: { headers?: Record<string, string> } = {}) =>
  callPreview(SESSION, path, init.headers);

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

  it("serves an asset copy with the type of its URL's extension, nosniff, immutable", async () => {
    const sha = hex("b");
    // Stored metadata means nothing: the first upload of these bytes said text/html.
    await env.BLOBS.put(r2Keys.moduleBlob(sha), "<svg/>", { httpMetadata: { contentType: "text/html" } });
    const res = await call(`/m/blob/${sha}.png`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/png");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("content-disposition")).toBeNull();
    expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(res.headers.get("etag")).toBe(`"${sha}"`);
    expect(await res.text()).toBe("<svg/>");
    // The address of older builds, with no extension, is plain bytes.
    const bare = await call(`/m/blob/${sha}`);
    expect(bare.status).toBe(200);
    expect(bare.headers.get("content-type")).toBe("application/octet-stream");
    expect(bare.headers.get("x-content-type-options")).toBe("nosniff");
    expect(await bare.text()).toBe("<svg/>");
    const again = await call(`/m/blob/${sha}.png`, { headers: { "if-none-match": `"${sha}"` } });
    expect(again.status).toBe(304);
    expect(again.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it("never serves a blob as text/html, however it was uploaded or is asked for", async () => {
    const page = "<!doctype html><script>parent.postMessage(document.cookie, '*')</script>";
    const sha = hex("e");
    await env.BLOBS.put(r2Keys.moduleBlob(sha), page, { httpMetadata: { contentType: "text/html" } });
    for (const ext of ["html", "htm", "xhtml", "", "png", "txt", "js", "svg", "xml", "unknownext"]) {
      const res = await call(`/m/blob/${sha}${ext ? `.${ext}` : ""}`);
      expect(res.status, ext).toBe(200);
      expect(res.headers.get("content-type"), ext).not.toMatch(/html|javascript/i);
      expect(res.headers.get("x-content-type-options"), ext).toBe("nosniff");
      await res.arrayBuffer();
    }
    const html = await call(`/m/blob/${sha}.html`);
    expect(html.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(html.headers.get("content-disposition")).toBe("attachment");
    expect(html.headers.get("content-security-policy")).toBe(
      "default-src 'none'; style-src 'unsafe-inline'; sandbox",
    );
    await html.arrayBuffer();
  });

  it("serves bytes published as .png, asked for as .html or .svg, as the URL says: an attachment that runs nothing", async () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.domain)</script></svg>';
    const sha = await sha256Of(svg);
    // As the build publishes an asset (worker-consumers preview-build.ts copyAssets): the first
    // file with these bytes was a .png.
    await env.BLOBS.put(r2Keys.moduleBlob(sha), svg, { httpMetadata: { contentType: "image/png" } });
    const expected: Record<string, string> = {
      svg: "image/svg+xml", // still an image to <img src>: a disposition does not apply to subresources
      html: "text/plain; charset=utf-8",
      htm: "text/plain; charset=utf-8",
      xml: "application/xml",
      xhtml: "application/octet-stream",
    };
    for (const [ext, type] of Object.entries(expected)) {
      const res = await call(`/m/blob/${sha}.${ext}`);
      expect(res.status, ext).toBe(200);
      expect(res.headers.get("content-type"), ext).toBe(type);
      expect(res.headers.get("content-disposition"), ext).toBe("attachment");
      expect(res.headers.get("content-security-policy"), ext).toBe(
        "default-src 'none'; style-src 'unsafe-inline'; sandbox",
      );
      expect(res.headers.get("x-content-type-options"), ext).toBe("nosniff");
      expect(await res.text(), ext).toBe(svg);
    }
    const png = await call(`/m/blob/${sha}.png`);
    expect(png.headers.get("content-type")).toBe("image/png");
    expect(png.headers.get("content-disposition")).toBeNull();
    await png.arrayBuffer();
  });

  it("is 404, never cached, for anything not stored or not named like a key", async () => {
    for (const path of [
      `/m/${hex("c")}.js`,
      `/m/${hex("A")}.js`,
      `/m/${hex("a")}`,
      `/m/${hex("a")}.css`,
      "/m/short.js",
      `/m/blob/${hex("d")}`,
      `/m/blob/${hex("d")}.png`,
      `/m/blob/${hex("b")}.PNG`,
      `/m/blob/${hex("b")}.`,
      `/m/blob/${hex("b")}.png.html`,
      `/m/blob/${hex("b")}.${"x".repeat(17)}`,
      "/m/blob/not-a-hash",
      `/m/../p/x/blobs/${hex("a")}`,
    ]) {
      // (On a preview host naming no session: a session's origin answers any other path with its frame.)
      const res = await SELF.fetch(`https://nobody.preview.localhost${path}`);
      expect(res.status, path).toBe(404);
      expect(res.headers.get("cache-control") ?? "", path).not.toContain("immutable");
    }
  });
});
