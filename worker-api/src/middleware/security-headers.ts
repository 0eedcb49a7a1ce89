import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env";

/**
 * The strict policy for API responses; HTML pages set their own (still strict) CSP. Nothing an API
 * answer could be made to render may load, run, set a base, submit a form, start a worker or be
 * framed (security-headers.test.ts holds it to these exact directives).
 */
const API_CSP =
  "default-src 'none'; base-uri 'none'; form-action 'none'; worker-src 'none'; frame-ancestors 'none'";

export const securityHeaders = createMiddleware<AppEnv>(async (c, next) => {
  await next();
  c.header("x-content-type-options", "nosniff");
  c.header("referrer-policy", "no-referrer");
  c.header("x-frame-options", "DENY");
  if (!c.res.headers.has("content-security-policy")) c.header("content-security-policy", API_CSP);
  if (c.req.url.startsWith("https:"))
    c.header("strict-transport-security", "max-age=31536000; includeSubDomains");
});
