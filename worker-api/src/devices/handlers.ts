import { prepareSession, revokeSession } from "../auth/sessions";
import { getConfig } from "../config";
import { database } from "../db";
import { ApiError, notFound } from "../lib/api-error";
import { generateCode, guessOf, hashCode, hashTypedCode } from "../lib/codes";
import { newId } from "../lib/ids";
import { notify } from "../notifications/notify";
import type { AppRouteHandler } from "../openapi";
import { codeLinks } from "../preview/links";
import { clientIp, codeGuesses } from "../rate-limit/limits";
import {
  claimLinkCode,
  deviceInsert,
  findLiveDeviceSession,
  insertLinkCode,
  listLiveDevices,
  markDeviceRevoked,
  type NewDevice,
  presentDevice,
  releaseLinkCode,
} from "./device-store";
import type * as routes from "./routes";

const LINK_CODE_TTL_SECONDS = 10 * 60;

export const link: AppRouteHandler<typeof routes.link> = async (c) => {
  const code = generateCode();
  const now = new Date();
  const expiresAt = new Date(now.getTime() + LINK_CODE_TTL_SECONDS * 1000).toISOString();
  await insertLinkCode(database(c.env), {
    codeHash: await hashCode(code.letters),
    userId: c.get("auth").userId,
    createdAt: now.toISOString(),
    expiresAt,
  });
  return c.json({ code: code.display, ...codeLinks(c, "l", code.display), expires_at: expiresAt }, 201);
};

export const claim: AppRouteHandler<typeof routes.claim> = async (c) => {
  const db = database(c.env);
  const body = c.req.valid("json");
  const config = getConfig(c.env);
  const failureKey = `codes:ip:${clientIp(c.req.raw.headers)}`;
  await codeGuesses.assertOpen(c.env, failureKey, config.codeFailures);
  const codeHash = await hashTypedCode(body.code);
  const now = new Date().toISOString();
  const userId = codeHash ? await claimLinkCode(db, codeHash, now) : undefined;
  if (!codeHash || !userId) {
    await codeGuesses.wrong(c.env, failureKey, config.codeFailures, guessOf(codeHash, body.code));
    throw new ApiError(
      "NOT_FOUND",
      "This link code is unknown, used or expired. Make a new one on your desktop.",
    );
  }
  const session = await prepareSession(db, c.env, userId, "device");
  const device: NewDevice = {
    id: newId("device"),
    userId,
    authSessionId: session.sessionId,
    name: body.device_name,
    platform: body.platform,
    createdAt: now,
  };
  try {
    await db.batch([...session.statements, deviceInsert(db, device)]);
  } catch (err) {
    // Nothing was linked: give the code back so the phone can simply try again.
    await releaseLinkCode(db, codeHash, now);
    throw err;
  }
  await notify(c.env, {
    userId,
    type: "device_linked",
    payload: { device_id: device.id, device_name: device.name, platform: device.platform },
    eventKey: `device:${device.id}:linked`,
  });
  return c.json({ device: presentDevice(device, session.sessionId), tokens: await session.tokens() }, 201);
};

export const list: AppRouteHandler<typeof routes.list> = async (c) => {
  const { userId, sessionId } = c.get("auth");
  const rows = await listLiveDevices(database(c.env), userId);
  return c.json({ items: rows.map((row) => presentDevice(row, sessionId)) }, 200);
};

export const revoke: AppRouteHandler<typeof routes.revoke> = async (c) => {
  const { userId } = c.get("auth");
  const deviceId = c.req.valid("param").id;
  const db = database(c.env);
  const authSessionId = await findLiveDeviceSession(db, userId, deviceId);
  if (!authSessionId) throw notFound("Device");
  // The session first, the device row last: a revocation cut off half-way leaves the device
  // listed, so the user's retry finds it and finishes — never a revoked-looking device whose
  // tokens still work.
  await revokeSession(c.env, userId, authSessionId, "device_revoked");
  await markDeviceRevoked(db, userId, deviceId, new Date().toISOString());
  return c.body(null, 204);
};
