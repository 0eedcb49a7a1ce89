// The API's Content-Security-Policy, held to directives written out here: not to the constant the
// middleware uses, so that weakening the policy there (an 'unsafe-inline', a host, a dropped
// directive) fails this test instead of changing both sides at once.
import { describe, expect, it } from "vitest";
import { call, expectError } from "../test/helpers";

/** A CSP header as directive → its sources, in the order written. */
function directives(header: string | null): Record<string, string[]> {
  const parsed: Record<string, string[]> = {};
  for (const part of (header ?? "").split(";")) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (!name) continue;
    expect(parsed, `directive ${name} given twice`).not.toHaveProperty(name.toLowerCase());
    parsed[name.toLowerCase()] = sources;
  }
  return parsed;
}

const API_POLICY = {
  "default-src": ["'none'"],
  "base-uri": ["'none'"],
  "form-action": ["'none'"],
  "worker-src": ["'none'"],
  "frame-ancestors": ["'none'"],
};

describe("the API's Content-Security-Policy", () => {
  it("is exactly default-src, base-uri, form-action, worker-src and frame-ancestors 'none' on /health", async () => {
    const res = await call("/health");
    expect(res.status).toBe(200);
    expect(directives(res.headers.get("content-security-policy"))).toEqual(API_POLICY);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
  });

  it("is the same on /api/v1 answers and their errors", async () => {
    const answers: [string, Response][] = [
      ["/api/v1/openapi.json", await call("/api/v1/openapi.json")],
      ["/api/v1/no-such-route", await call("/api/v1/no-such-route")],
      ["/api/v1/auth/me", await call("/api/v1/auth/me")],
    ];
    for (const [path, res] of answers) {
      expect(directives(res.headers.get("content-security-policy")), path).toEqual(API_POLICY);
      expect(res.headers.get("x-content-type-options"), path).toBe("nosniff");
    }
    await (answers[0] as [string, Response])[1].arrayBuffer();
    await expectError((answers[1] as [string, Response])[1], 404, "NOT_FOUND");
    await expectError((answers[2] as [string, Response])[1], 401, "UNAUTHENTICATED");
  });
});
