import { z } from "zod";
import { ClaimLinkResponse, Device as DeviceSchema, LinkCodeResponse } from "../schemas";
import type { CallOptions, Transport } from "../transport";
import type { ClaimLinkResult, Device, DevicePlatform, LinkCode } from "../types";
import { seg } from "../url";
import { call } from "./call";

const DeviceList = z.object({ items: z.array(DeviceSchema) });

/**
 * Linked devices (phones signed in as you by QR): `client.devices`.
 *
 * @example
 * const { code, qr_svg } = await client.devices.link(); // on the desktop
 * await phoneClient.devices.claim({ code, device_name: "Ada's phone", platform: "ios" }); // on the phone
 */
export class DevicesApi {
  readonly #t: Transport;

  constructor(transport: Transport) {
    this.#t = transport;
  }

  /**
   * A 10-minute, single-use code (with QR) for signing a phone in as you (`POST /devices/link`).
   *
   * @example
   * const { code, link_url, qr_svg } = await client.devices.link();
   */
  link(options?: CallOptions): Promise<LinkCode> {
    return this.#t.json({ method: "POST", path: "/devices/link", ...call(options) }, LinkCodeResponse);
  }

  /**
   * The phone's side: trades a link code for a device sign-in (`POST /devices/link/claim`) and
   * stores the tokens, so this client is signed in afterwards.
   *
   * @example
   * const { device } = await client.devices.claim({ code: "WDJB-MJHT", device_name: "Pixel", platform: "android" });
   */
  async claim(
    body: { code: string; device_name: string; platform: DevicePlatform },
    options?: CallOptions,
  ): Promise<ClaimLinkResult> {
    const result = await this.#t.json(
      { method: "POST", path: "/devices/link/claim", json: body, auth: "none", ...call(options) },
      ClaimLinkResponse,
    );
    await this.#t.session.save(result.tokens);
    return result;
  }

  /**
   * Your linked devices (`GET /devices`); `current` marks the one asking.
   *
   * @example
   * for (const d of await client.devices.list()) console.log(d.name, d.platform);
   */
  async list(options?: CallOptions): Promise<Device[]> {
    return (await this.#t.json({ method: "GET", path: "/devices", ...call(options) }, DeviceList)).items;
  }

  /**
   * Unlinks a device; its tokens stop working at once (`DELETE /devices/:id` → 204).
   *
   * @example
   * await client.devices.revoke("dev_…");
   */
  revoke(deviceId: string, options?: CallOptions): Promise<void> {
    return this.#t.empty({ method: "DELETE", path: `/devices/${seg(deviceId)}`, ...call(options) });
  }
}
