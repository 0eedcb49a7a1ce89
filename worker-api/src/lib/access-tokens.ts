import { sign, verify } from "hono/jwt";
import { fromBase64url } from "./encoding";
import { RecentMap } from "./recent-map";

export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;

export type AccessClaims = { sub: string; sid: string; iat: number; exp: number; typ: "access" };

/** Signs a 15-minute HS256 access token for an auth session. It carries IDs only, no PII. */
export async function signAccessToken(userId: string, sessionId: string, secret: string): Promise<string> {
  const iat = Math.floor(Date.now() / 1000);
  const claims: AccessClaims = {
    sub: userId,
    sid: sessionId,
    iat,
    exp: iat + ACCESS_TOKEN_TTL_SECONDS,
    typ: "access",
  };
  return sign(claims, secret, "HS256");
}

/** Bounded: past this many tokens the least recently used is forgotten (checked again if it returns). */
const MAX_VERIFIED = 2_000;

/**
 * Tokens whose signature this isolate has checked, with their claims: a client sends the same
 * token with every request for up to 15 minutes, and checking it again (key import, HMAC, two JSON
 * parses) was most of what an authenticated request cost beyond its own work. An entry is only
 * ever the result of a full check of exactly these bytes under this secret; it ends with the
 * token's `exp`. Revocation is not decided here: the session check is (auth/admission.ts).
 */
const verified = new RecentMap<string, { secret: string; claims: AccessClaims }>(MAX_VERIFIED);

/**
 * Verifies signature, algorithm and expiry of an access token; null for anything else (forged,
 * expired, `alg:none`, another token type). Revocation is the session check's (auth/admission.ts).
 */
export async function verifyAccessToken(
  token: string,
  secret: string,
  now: () => number = Date.now,
): Promise<AccessClaims | null> {
  const known = verified.get(token);
  if (known && known.secret === secret) {
    if (now() < known.claims.exp * 1000) return known.claims;
    verified.delete(token);
    return null;
  }
  const claims = await checkAccessToken(token, secret);
  if (claims) {
    verified.set(token, { secret, claims });
  }
  return claims;
}

async function checkAccessToken(token: string, secret: string): Promise<AccessClaims | null> {
  const [headerPart] = token.split(".");
  try {
    // Only HS256 is ever accepted: check the header ourselves before any library sees the token.
    const header = JSON.parse(new TextDecoder().decode(fromBase64url(headerPart ?? ""))) as { alg?: unknown };
    if (header.alg !== "HS256") return null;
    const payload = (await verify(token, secret, "HS256")) as Partial<AccessClaims>;
    // hono's verify only checks `exp` when present: a token without one would never expire.
    if (
      payload.typ !== "access" ||
      typeof payload.sub !== "string" ||
      typeof payload.sid !== "string" ||
      typeof payload.exp !== "number"
    )
      return null;
    return payload as AccessClaims;
  } catch {
    return null;
  }
}
