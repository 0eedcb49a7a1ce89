import { describe, expect, it } from "vitest";
import { call, expectError } from "../../test/helpers";

const SPEC_URL = "/api/v1/openapi.json";

/** Every src/href in the page, in document order. */
function references(page: string): string[] {
  return [...page.matchAll(/\s(?:src|href)="([^"]*)"/g)].map((m) => m[1] ?? "");
}

describe("/docs: the interactive API reference", () => {
  it("is HTML under a strict CSP that allows only same-origin scripts, styles and requests", async () => {
    const res = await call("/docs");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(res.headers.get("cache-control")).toBe("no-cache");
    const csp = Object.fromEntries(
      (res.headers.get("content-security-policy") ?? "").split(/;\s*/).map((d) => {
        const [name, ...values] = d.split(" ");
        return [name, values.join(" ")];
      }),
    );
    expect(csp).toMatchObject({
      "default-src": "'none'",
      "script-src": "'self'",
      "style-src": "'self'",
      "connect-src": "'self'",
      "base-uri": "'none'",
      "frame-ancestors": "'none'",
    });
    expect(Object.values(csp).join(" ")).not.toMatch(/unsafe-|\*|https?:/);
  });

  it("references only same-origin, versioned assets, and no inline script or style", async () => {
    const page = await (await call("/docs")).text();
    const refs = references(page);
    expect(refs).toContain(SPEC_URL);
    for (const ref of refs) expect(ref).toMatch(/^\/(?!\/)/);
    expect(page).not.toMatch(/https?:\/\//);
    expect(page).not.toMatch(/<style|\sstyle=|<script(?![^>]*\ssrc=)/);
    expect(page).toContain(`data-spec-url="${SPEC_URL}"`);
    const assets = refs.filter((ref) => ref.startsWith("/docs/assets/"));
    expect(assets.map((a) => a.split("/").pop())).toEqual([
      "favicon.svg",
      "swagger-ui.css",
      "docs.css",
      "swagger-ui-bundle.js",
      "docs.js",
    ]);
    expect(new Set(assets.map((a) => a.split("/")[3])).size).toBe(1);
  });

  it("serves each asset with its content type and an immutable cache header", async () => {
    const page = await (await call("/docs")).text();
    const types: Record<string, string> = {
      js: "text/javascript; charset=utf-8",
      css: "text/css; charset=utf-8",
      svg: "image/svg+xml",
    };
    for (const ref of references(page).filter((r) => r.startsWith("/docs/assets/"))) {
      const res = await call(ref);
      expect(res.status, ref).toBe(200);
      expect(res.headers.get("content-type"), ref).toBe(types[ref.split(".").pop() ?? ""]);
      expect(res.headers.get("cache-control"), ref).toBe("public, max-age=31536000, immutable");
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      const body = await res.text();
      if (ref.endsWith("/swagger-ui-bundle.js")) expect(body).toContain("SwaggerUIBundle");
      if (ref.endsWith("/swagger-ui.css")) expect(body).toContain(".swagger-ui");
      // Our own files name no other origin (the SVG's xmlns is a namespace, not a request).
      if (!ref.includes("swagger-ui"))
        expect(body.replace("http://www.w3.org/2000/svg", "")).not.toMatch(/https?:/);
    }
  });

  it("starts Swagger UI on the page's own document without the external validator", async () => {
    const page = await (await call("/docs")).text();
    const init = references(page).find((r) => r.endsWith("/docs.js")) ?? "";
    const script = await (await call(init)).text();
    expect(script).toContain("SwaggerUIBundle(");
    expect(script).toContain("root.dataset.specUrl");
    expect(script).toContain("validatorUrl: null");
    const spec = await call(SPEC_URL);
    expect(spec.status).toBe(200);
    expect(((await spec.json()) as { openapi: string }).openapi).toBe("3.1.0");
  });

  it("answers 404 for another version or an unknown asset, so nothing stale is cached forever", async () => {
    const page = await (await call("/docs")).text();
    const bundle = references(page).find((r) => r.endsWith("/swagger-ui-bundle.js")) ?? "";
    const version = bundle.split("/")[3] ?? "";
    await expectError(await call(bundle.replace(version, "000000000000")), 404, "NOT_FOUND");
    await expectError(await call(`/docs/assets/${version}/index.html`), 404, "NOT_FOUND");
    await expectError(await call(`/docs/assets/${version}/constructor`), 404, "NOT_FOUND");
  });
});
