import { z } from "@hono/zod-openapi";
import { idParam } from "../../../schema/api/common";
import { ClaimLinkRequest, ClaimLinkResponse, Device, LinkCodeResponse } from "../../../schema/api/devices";
import { json } from "../openapi";
import { defineRoute } from "../routing/define-route";

const tags = ["Devices"];

export const link = defineRoute({
  method: "post",
  path: "/devices/link",
  tags,
  summary: "A 10-minute, single-use code (and QR) for signing a phone in as you",
  auth: "user",
  responses: { 201: { description: "The code", ...json(LinkCodeResponse) } },
});

export const claim = defineRoute({
  method: "post",
  path: "/devices/link/claim",
  tags,
  summary: "The phone's side: trade a link code for a device sign-in",
  auth: "none",
  idempotent: true,
  errors: ["NOT_FOUND", "TOO_MANY_ATTEMPTS"],
  request: { body: { ...json(ClaimLinkRequest), required: true } },
  responses: { 201: { description: "The device and its tokens", ...json(ClaimLinkResponse) } },
});

export const list = defineRoute({
  method: "get",
  path: "/devices",
  tags,
  summary: "Your linked devices",
  auth: "user",
  responses: { 200: { description: "Devices", ...json(z.object({ items: z.array(Device) })) } },
});

export const revoke = defineRoute({
  method: "delete",
  path: "/devices/{id}",
  tags,
  summary: "Unlink a device: its tokens stop working at once",
  auth: "user",
  errors: ["NOT_FOUND"],
  request: { params: z.object({ id: idParam("dev") }) },
  responses: { 204: { description: "Unlinked" } },
});
