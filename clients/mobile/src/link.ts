import type { CallOptions, Device, DevicePlatform, HiveSyncClient } from "../../core/src";
import { checkCode } from "./resolve-preview";

/**
 * Signs this phone in with a link code shown by a signed-in desktop (`hivesync devices link`).
 * The device's tokens go into the client's token store, so the client is signed in afterwards.
 *
 * @example
 * const client = new HiveSyncClient({ baseUrl, tokenStore: secureStore });
 * const device = await linkWithCode(client, "WDJB-MJHT", { deviceName: "Ada's iPhone", platform: "ios" });
 */
export async function linkWithCode(
  client: HiveSyncClient,
  code: string,
  options: CallOptions & { deviceName: string; platform: DevicePlatform },
): Promise<Device> {
  const { deviceName, platform, ...call } = options;
  const { device } = await client.devices.claim(
    { code: checkCode(code), device_name: deviceName, platform },
    call,
  );
  return device;
}
