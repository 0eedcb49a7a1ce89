import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { isSessionLive } from "../auth/session-store";
import { database } from "../db";
import type { AppEnv } from "../env";
import { notFound } from "../lib/api-error";
import { findProjectForSession, type ProjectRow } from "../projects/project-store";
import { unauthenticated } from "./auth";

/** What the id parameter must look like (the route's own zod schema for it). */
type ParamSchema = { safeParse(value: unknown): { success: boolean } };

/**
 * `requireAuth` and the route's ownership check in one D1 query, for routes declared with
 * `ownedProject: "<param>"`: the token's auth session must be live (401 otherwise: logout and
 * device revocation still take effect at once) and the project in the path the caller's own (404
 * otherwise, the same for someone else's and a missing one). The project goes on the context. An id
 * the route's schema refuses is not looked up: the session alone is checked and validation answers
 * 400, exactly as with `requireAuth`.
 */
export function requireOwnedProject(param: string, schema: ParamSchema | undefined) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const claims = c.get("claims");
    if (!claims) throw unauthenticated();
    const caller = { userId: claims.sub, sessionId: claims.sid };
    const db = database(c.env);
    const id = c.req.param(param);
    if (id === undefined || (schema && !schema.safeParse(id).success)) {
      if (!(await isSessionLive(db, caller.userId, caller.sessionId))) throw unauthenticated();
      c.set("auth", caller);
      return next();
    }
    const found = await findProjectForSession(db, caller, id);
    if (!found) throw unauthenticated();
    c.set("auth", caller);
    if (!found.project) throw notFound("Project");
    c.set("project", found.project);
    await next();
  });
}

/** The caller's project of a route declared with `ownedProject` (loaded by its auth step). */
export function ownedProject(c: Pick<Context<AppEnv>, "get">): ProjectRow {
  const project = c.get("project");
  // A route whose declaration lacks `ownedProject`: a programming error, never a client's.
  if (!project) throw new Error("ownedProject(c) on a route not declared with ownedProject");
  return project;
}
