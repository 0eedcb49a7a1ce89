import { describe, expect, it } from "vitest";
import { clientIp } from "./limits";

const ip = (value?: string) => clientIp(new Headers(value ? { "cf-connecting-ip": value } : {}));

describe("the per-IP limit key", () => {
  it("is the address for IPv4 and the /64 network for IPv6", () => {
    expect(ip("203.0.113.7")).toBe("203.0.113.7");
    expect(ip("2001:db8:1:2:aaaa:bbbb:cccc:dddd")).toBe("2001:db8:1:2::/64");
    expect(ip("2001:0db8:0001:0002:ffff::1")).toBe("2001:db8:1:2::/64");
    expect(ip("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(ip("::1")).toBe("0:0:0:0::/64");
    expect(ip()).toBe("unknown");
  });

  it("puts every address of one /64 in the same bucket", () => {
    const keys = new Set(
      ["2001:db8:5:6::1", "2001:db8:5:6:1:2:3:4", "2001:DB8:5:6:ffff:ffff:ffff:ffff"].map((a) => ip(a)),
    );
    expect(keys.size).toBe(1);
  });
});
