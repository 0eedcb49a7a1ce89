import { networkInterfaces } from "node:os";
import { encode } from "uqr";

/** Light modules around the code: the 4 the QR standard asks for, so cameras find its edges. */
export const QR_QUIET_ZONE = 4;

/**
 * Explicit colours for every cell: black (256-colour index 16) on white (231). Themes remap the 16
 * basic ANSI colours and a terminal's default colours may be light on dark, which would print the
 * code inverted (many phone cameras do not read inverted codes); the 256-colour cube is not
 * remapped by themes.
 */
export const QR_COLOURS = "\x1b[38;5;16;48;5;231m";
const RESET = "\x1b[0m";

/**
 * A QR code drawn with Unicode half blocks (two modules per character cell): dark modules on a
 * light background in explicit colours whatever the terminal's theme, with a 4-module quiet zone,
 * so a phone camera reads it straight off the terminal.
 *
 * @example
 * console.log(terminalQr("https://hivesync.example/p/WDJB-MJHT"));
 */
export function terminalQr(text: string): string {
  const { data, size } = encode(text, { ecc: "M", border: 0 });
  const full = size + 2 * QR_QUIET_ZONE;
  const dark = (row: number, col: number) => {
    const r = row - QR_QUIET_ZONE;
    const c = col - QR_QUIET_ZONE;
    return r >= 0 && c >= 0 && r < size && c < size && data[r]?.[c] === true;
  };
  const lines: string[] = [];
  // The last pair's lower half, when `full` is odd, lies past the quiet zone: it stays light.
  for (let row = 0; row < full; row += 2) {
    let line = "";
    for (let col = 0; col < full; col++) {
      const top = dark(row, col);
      const bottom = dark(row + 1, col);
      line += top && bottom ? "█" : top ? "▀" : bottom ? "▄" : " ";
    }
    lines.push(`${QR_COLOURS}${line}${RESET}`);
  }
  return lines.join("\n");
}

const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]", "0.0.0.0", "[::]"]);

/**
 * When `linkUrl` points at this computer only (`localhost`, `127.0.0.1`), how to make it reachable
 * from a phone on the same network: serve on every interface and put the computer's LAN address
 * into the links (`PUBLIC_URL`). Null for any other host.
 *
 * @example
 * phoneReachHint("http://localhost:8787/p/WDJB-MJHT");
 * // → "A phone cannot open localhost. To preview on a phone on the same network, …"
 */
export function phoneReachHint(linkUrl: string, lanAddress: string | null = lanIpv4()): string | null {
  let url: URL;
  try {
    url = new URL(linkUrl);
  } catch {
    return null;
  }
  if (!LOCAL_HOSTS.has(url.hostname) && !url.hostname.endsWith(".localhost")) return null;
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  const origin = `${url.protocol}//${lanAddress ?? "<this computer's IP address>"}:${port}`;
  return [
    `A phone cannot open ${url.hostname}. To preview on a phone on the same network, restart the server`,
    `listening on every interface, with links that use this computer's address:`,
    `  npm run dev -- --ip 0.0.0.0 --var PUBLIC_URL:${origin}`,
    "(PUBLIC_URL is the origin put into links and QR codes; see docs/configuration.md.)",
  ].join("\n");
}

/** This computer's first non-internal IPv4 address, or null. */
function lanIpv4(): string | null {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? []) {
      if (address.family === "IPv4" && !address.internal) return address.address;
    }
  }
  return null;
}
