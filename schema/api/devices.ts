import { z } from "zod";
import { Tokens } from "./auth";
import { DisplayName, Timestamp } from "./common";

export const DevicePlatform = z.enum(["ios", "android", "web", "desktop", "other"]);

export const LinkCodeResponse = z
  .object({
    code: z.string().meta({ example: "WDJB-MJHT" }),
    link_url: z.string(),
    deep_link: z.string(),
    qr_svg: z.string(),
    expires_at: Timestamp,
  })
  .meta({ id: "LinkCodeResponse" });

export const ClaimLinkRequest = z
  .object({
    code: z.string().min(1).max(32),
    device_name: DisplayName,
    platform: DevicePlatform,
  })
  .meta({ id: "ClaimLinkRequest" });

export const Device = z
  .object({
    id: z.string(),
    name: z.string(),
    platform: DevicePlatform,
    created_at: Timestamp,
    current: z.boolean().meta({ description: "whether this is the device making the request" }),
  })
  .meta({ id: "Device" });

export const ClaimLinkResponse = z
  .object({ device: Device, tokens: Tokens })
  .meta({ id: "ClaimLinkResponse" });
