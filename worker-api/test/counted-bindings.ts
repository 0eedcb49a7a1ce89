import { env } from "cloudflare:test";
import { createApp } from "../src/app";

export type Counts = { d1RoundTrips: number; d1Statements: number; doCalls: number; r2Puts: number };

/**
 * The real bindings behind counters: D1 round trips and statements, Durable Object stubs (rate
 * limiter and user sessions), R2 puts; `vars` override the environment's variables (e.g. a limit).
 */
export function countedBindings(vars: Record<string, string> = {}) {
  const counts: Counts = { d1RoundTrips: 0, d1Statements: 0, doCalls: 0, r2Puts: 0 };
  let inBatches = 0;
  let prepared = 0;
  const DB = {
    prepare: (query: string) => {
      prepared += 1;
      return env.DB.prepare(query);
    },
    batch: (statements: D1PreparedStatement[]) => {
      counts.d1RoundTrips += 1;
      inBatches += statements.length;
      return env.DB.batch(statements);
    },
    exec: (query: string) => env.DB.exec(query),
    dump: () => env.DB.dump(),
    withSession: () => env.DB.withSession(),
  };
  const RATE_LIMITER = {
    idFromName: (name: string) => env.RATE_LIMITER.idFromName(name),
    get: (id: DurableObjectId) => {
      counts.doCalls += 1;
      return env.RATE_LIMITER.get(id);
    },
  };
  const USER_SESSIONS = {
    idFromName: (name: string) => env.USER_SESSIONS.idFromName(name),
    get: (id: DurableObjectId) => {
      counts.doCalls += 1;
      return env.USER_SESSIONS.get(id);
    },
  };
  const BLOBS = {
    put: (...args: Parameters<R2Bucket["put"]>) => {
      counts.r2Puts += 1;
      return env.BLOBS.put(...args);
    },
    get: (...args: Parameters<R2Bucket["get"]>) => env.BLOBS.get(...args),
    head: (key: string) => env.BLOBS.head(key),
  };
  const app = createApp();
  return {
    counts: () => ({
      ...counts,
      // Every statement not sent in a batch is a round trip of its own.
      d1RoundTrips: counts.d1RoundTrips + prepared - inBatches,
      d1Statements: prepared,
    }),
    request: (path: string, init: RequestInit) =>
      app.request(path, init, { ...env, ...vars, DB, RATE_LIMITER, USER_SESSIONS, BLOBS }),
  };
}
