/**
 * Whether a request is clearly to a local stack rather than a deployment: its URL's host is a
 * loopback name or address (`localhost`, `*.localhost`, 127.0.0.0/8, `[::1]`), a private LAN address
 * (10/8, 172.16/12, 192.168/16, link-local 169.254/16) or an mDNS name (`*.local`) — what a
 * developer's machine, a phone on the same network, or `wrangler dev` answers as. No public
 * deployment is reached under such a host: Cloudflare routes a request to a Worker by the host it
 * names, which must be a domain of the account (or its workers.dev name).
 *
 * @example
 * isLocalUrl("http://127.0.0.1:8787/health"); // true
 * isLocalUrl("https://hivesync.example.workers.dev/health"); // false
 */
export function isLocalUrl(url: string): boolean {
  let host: string;
  try {
    // The URL parser has lower-cased the host and written any IPv4 form (0x7f.1, 2130706433) as a.b.c.d.
    host = new URL(url).hostname.replace(/\.$/, "");
  } catch {
    return false;
  }
  if (host === "localhost" || host.endsWith(".localhost") || host.endsWith(".local")) return true;
  if (host === "[::1]") return true;
  const ipv4 = /^(\d{1,3})\.(\d{1,3})\.\d{1,3}\.\d{1,3}$/.exec(host);
  if (!ipv4) return false;
  const a = Number(ipv4[1]);
  const b = Number(ipv4[2]);
  return (
    a === 127 ||
    a === 10 ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 169 && b === 254)
  );
}
