import type { CallOptions, HiveSyncClient, LinkCode } from "../../core/src";

/**
 * A 10-minute, single-use code for signing a phone in as the current user, with the `link_url`
 * its camera can open and a ready-made `qr_svg` of it.
 *
 * @example
 * const { code, link_url, expires_at } = await linkDevice(client);
 * console.log(`On your phone, open ${link_url} or type ${code} (until ${expires_at})`);
 */
export function linkDevice(client: HiveSyncClient, options?: CallOptions): Promise<LinkCode> {
  return client.devices.link(options);
}
