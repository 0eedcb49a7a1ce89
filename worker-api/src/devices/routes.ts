import { createRoute, z } from "@hono/zod-openapi";
import { idParam } from "../../../schema/api/common";
import { ClaimLinkRequest, ClaimLinkResponse, Device, LinkCodeResponse } from "../../../schema/api/devices";
import { prepareSession, revokeSession } from "../auth/sessions";
import { getConfig } from "../config";
import { ApiError, notFound } from "../lib/api-error";
import { generateCode, hashCode, hashTypedCode } from "../lib/codes";
import { newId } from "../lib/ids";
import { requireAuth } from "../middleware/auth";
import { idempotent } from "../middleware/idempotency";
import { notify } from "../notifications/notify";
import { bearerAuth, createRouter, errorResponses, json } from "../openapi";
import { codeLinks } from "../preview/links";
import { clientIp, failures } from "../rate-limit/limits";

const tags = ["Devices"];
const LINK_CODE_TTL_SECONDS = 10 * 60;

type DeviceRow = {
  id: string;
  name: string;
  platform: z.infer<typeof Device>["platform"];
  created_at: string;
  auth_session_id: string;
};

const link = createRoute({
  method: "post",
  path: "/devices/link",
  tags,
  security: bearerAuth,
  summary: "A 10-minute, single-use code (and QR) for signing a phone in as you",
  middleware: [requireAuth] as const,
  responses: { 201: { description: "The code", ...json(LinkCodeResponse) }, ...errorResponses(401, 429) },
});

const claim = createRoute({
  method: "post",
  path: "/devices/link/claim",
  tags,
  summary: "The phone's side: trade a link code for a device sign-in",
  middleware: [idempotent] as const,
  request: { body: { ...json(ClaimLinkRequest), required: true } },
  responses: {
    201: { description: "The device and its tokens", ...json(ClaimLinkResponse) },
    ...errorResponses(400, 404, 429),
  },
});

const list = createRoute({
  method: "get",
  path: "/devices",
  tags,
  security: bearerAuth,
  summary: "Your linked devices",
  middleware: [requireAuth] as const,
  responses: {
    200: { description: "Devices", ...json(z.object({ items: z.array(Device) })) },
    ...errorResponses(401),
  },
});

const revoke = createRoute({
  method: "delete",
  path: "/devices/{id}",
  tags,
  security: bearerAuth,
  summary: "Unlink a device: its tokens stop working at once",
  middleware: [requireAuth] as const,
  request: { params: z.object({ id: idParam("dev") }) },
  responses: { 204: { description: "Unlinked" }, ...errorResponses(401, 404) },
});

export function deviceRoutes() {
  const app = createRouter();

  app.openapi(link, async (c) => {
    const code = generateCode();
    const now = new Date();
    const expiresAt = new Date(now.getTime() + LINK_CODE_TTL_SECONDS * 1000).toISOString();
    await c.env.DB.prepare(
      "INSERT INTO device_link_codes (code_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
    )
      .bind(await hashCode(code.letters), c.get("auth").userId, now.toISOString(), expiresAt)
      .run();
    return c.json({ code: code.display, ...codeLinks(c, "l", code.display), expires_at: expiresAt }, 201);
  });

  app.openapi(claim, async (c) => {
    const body = c.req.valid("json");
    const config = getConfig(c.env);
    const failureKey = `codes:ip:${clientIp(c.req.raw.headers)}`;
    await failures.begin(c.env, failureKey, config.codeFailures);
    const codeHash = await hashTypedCode(body.code);
    const now = new Date().toISOString();
    // Single use: of two phones claiming one code at once, the conditional update lets one through.
    const claimed = codeHash
      ? await c.env.DB.prepare(
          `UPDATE device_link_codes SET used_at = ?1 WHERE code_hash = ?2 AND used_at IS NULL AND expires_at > ?1
           RETURNING user_id`,
        )
          .bind(now, codeHash)
          .first<{ user_id: string }>()
      : null;
    if (!claimed) {
      throw new ApiError(
        "NOT_FOUND",
        "This link code is unknown, used or expired. Make a new one on your desktop.",
      );
    }
    await failures.forgive(c.env, failureKey);
    const session = await prepareSession(c.env, claimed.user_id, "device");
    const device: DeviceRow = {
      id: newId("device"),
      name: body.device_name,
      platform: body.platform,
      created_at: now,
      auth_session_id: session.sessionId,
    };
    try {
      await c.env.DB.batch([
        ...session.statements,
        c.env.DB.prepare(
          "INSERT INTO devices (id, user_id, auth_session_id, name, platform, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        ).bind(device.id, claimed.user_id, device.auth_session_id, device.name, device.platform, now),
      ]);
    } catch (err) {
      // Nothing was linked: give the code back so the phone can simply try again.
      await c.env.DB.prepare(
        "UPDATE device_link_codes SET used_at = NULL WHERE code_hash = ? AND used_at = ?",
      )
        .bind(codeHash, now)
        .run();
      throw err;
    }
    await notify(c.env, {
      userId: claimed.user_id,
      type: "device_linked",
      payload: { device_id: device.id, device_name: device.name, platform: device.platform },
      eventKey: `device:${device.id}:linked`,
    });
    return c.json(
      {
        device: {
          id: device.id,
          name: device.name,
          platform: device.platform,
          created_at: now,
          current: true,
        },
        tokens: await session.tokens(),
      },
      201,
    );
  });

  app.openapi(list, async (c) => {
    const { userId, sessionId } = c.get("auth");
    const { results } = await c.env.DB.prepare(
      "SELECT id, name, platform, created_at, auth_session_id FROM devices WHERE user_id = ? AND revoked_at IS NULL ORDER BY id",
    )
      .bind(userId)
      .all<DeviceRow>();
    return c.json(
      {
        items: results.map((d) => ({
          id: d.id,
          name: d.name,
          platform: d.platform,
          created_at: d.created_at,
          current: d.auth_session_id === sessionId,
        })),
      },
      200,
    );
  });

  app.openapi(revoke, async (c) => {
    const row = await c.env.DB.prepare(
      "UPDATE devices SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL RETURNING auth_session_id",
    )
      .bind(new Date().toISOString(), c.req.valid("param").id, c.get("auth").userId)
      .first<{ auth_session_id: string }>();
    if (!row) throw notFound("Device");
    await revokeSession(c.env, row.auth_session_id, "device_revoked");
    return c.body(null, 204);
  });

  return app;
}
