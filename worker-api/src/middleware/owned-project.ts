import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { knownDeadHere, sessionLiveHere } from "../auth/admission";
import { database } from "../db";
import type { AppEnv } from "../env";
import { notFound } from "../lib/api-error";
import { findOwnedProject, type ProjectRow } from "../projects/project-store";
import { unauthenticated } from "./auth";

/** What the id parameter must look like (the route's own zod schema for it). */
type ParamSchema = { safeParse(value: unknown): { success: boolean } };

/**
 * `requireAuth` and the route's ownership check, for routes declared with `ownedProject:
 * "<param>"`: the token's auth session must be live — asked of the user's UserSessions object, the
 * one authority every signed-in route uses, so a revocation that reached it refuses these routes
 * too (401) — and the project in the path the caller's own (404 otherwise, the same for someone
 * else's and a missing one; one D1 query, sent beside the session check). The project goes on the
 * context. An id the route's schema refuses is not looked up: the session alone is checked and
 * validation answers 400, exactly as with `requireAuth`.
 */
export function requireOwnedProject(param: string, schema: ParamSchema | undefined) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const claims = c.get("claims");
    if (!claims) throw unauthenticated();
    const caller = { userId: claims.sub, sessionId: claims.sid };
    const id = c.req.param(param);
    const wanted = id !== undefined && (!schema || schema.safeParse(id).success);
    // Before the D1 read goes out: a token this isolate knows is revoked costs nothing more.
    if (knownDeadHere(c.env, caller.userId, caller.sessionId)) throw unauthenticated();
    const [live, project] = await Promise.all([
      sessionLiveHere(c.env, caller.userId, caller.sessionId),
      wanted ? findOwnedProject(database(c.env), caller.userId, id) : undefined,
    ]);
    if (!live) throw unauthenticated();
    c.set("auth", caller);
    if (!wanted) return next();
    if (!project) throw notFound("Project");
    c.set("project", project);
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
