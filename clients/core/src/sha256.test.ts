import { createHash, randomBytes, webcrypto } from "node:crypto";
import { describe, expect, it } from "vitest";
import { toHex } from "./hex";
import { Sha256, sha256Hex, sha256OfStream } from "./sha256";

const nodeHex = (data: Uint8Array) => createHash("sha256").update(data).digest("hex");
const webHex = async (data: Uint8Array) =>
  toHex(new Uint8Array(await webcrypto.subtle.digest("SHA-256", data)));

describe("Sha256", () => {
  it("matches the standard test vectors", () => {
    expect(sha256Hex("")).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect(sha256Hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")).toBe(
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
    );
    const million = new Uint8Array(1_000_000).fill(0x61);
    expect(sha256Hex(million)).toBe("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  });

  it("equals node:crypto and WebCrypto on random data of every length around the block edges", async () => {
    for (let length = 0; length <= 200; length++) {
      const data = randomBytes(length);
      const hex = sha256Hex(data);
      expect(hex, `length ${length}`).toBe(nodeHex(data));
      if (length % 17 === 0) expect(hex).toBe(await webHex(data));
    }
  });

  it("gives the same digest however the input is chunked", async () => {
    for (const size of [1, 63, 64, 65, 1000, 100_003, 1_048_576 + 7]) {
      const data = randomBytes(size);
      const hash = new Sha256();
      let at = 0;
      while (at < size) {
        const n = Math.min(size - at, 1 + Math.floor(Math.random() * 5000));
        hash.update(data.subarray(at, at + n));
        at += n;
      }
      expect(hash.bytesHashed).toBe(size);
      const hex = hash.hex();
      expect(hex, `size ${size}`).toBe(nodeHex(data));
      expect(hex).toBe(await webHex(data));
      expect(hash.hex()).toBe(hex); // digest is stable
      expect(() => hash.update(new Uint8Array(1))).toThrow();
    }
  });

  it("hashes a ReadableStream chunk by chunk", async () => {
    const data = randomBytes(300_001);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let at = 0; at < data.length; at += 4096) controller.enqueue(data.subarray(at, at + 4096));
        controller.close();
      },
    });
    expect(await sha256OfStream(stream)).toEqual({ sha256: nodeHex(data), size: data.length });
  });
});
