import { toHex } from "./hex";

// WebCrypto's digest() takes the whole input at once; verifying a download as it streams in (and
// continuing after a resumed Range request) needs an incremental hash, so SHA-256 (FIPS 180-4)
// lives here in plain TypeScript, usable in browsers and React Native alike.

const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
]);

const INITIAL_STATE = [
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

/**
 * Incremental SHA-256: feed bytes in any chunking with `update`, then read `digest()` or `hex()`.
 * The result is the standard SHA-256 (checked against WebCrypto and node:crypto in the tests).
 *
 * @example
 * const hash = new Sha256();
 * for await (const chunk of chunks) hash.update(chunk);
 * const hex = hash.hex(); // "e3b0c442…" for no input
 */
export class Sha256 {
  readonly #state = new Int32Array(INITIAL_STATE);
  readonly #block = new Uint8Array(64);
  readonly #w = new Int32Array(64);
  #blockLength = 0;
  #bytesHashed = 0;
  #result: Uint8Array | null = null;

  /** How many bytes have been fed in so far. */
  get bytesHashed(): number {
    return this.#bytesHashed;
  }

  /** Feeds more bytes. Throws once the digest has been taken. */
  update(data: Uint8Array): this {
    if (this.#result) throw new Error("Sha256: update() after digest()");
    const length = data.length;
    let pos = 0;
    this.#bytesHashed += length;
    if (this.#blockLength > 0) {
      while (this.#blockLength < 64 && pos < length) this.#block[this.#blockLength++] = data[pos++] as number;
      if (this.#blockLength === 64) {
        this.#compress(this.#block, 0);
        this.#blockLength = 0;
      }
    }
    while (length - pos >= 64) {
      this.#compress(data, pos);
      pos += 64;
    }
    while (pos < length) this.#block[this.#blockLength++] = data[pos++] as number;
    return this;
  }

  /** The 32-byte digest (computed once; later calls return the same bytes). */
  digest(): Uint8Array {
    if (this.#result) return this.#result.slice();
    const bitsHigh = Math.floor(this.#bytesHashed / 0x20000000);
    const bitsLow = (this.#bytesHashed * 8) >>> 0;
    const block = this.#block;
    block[this.#blockLength++] = 0x80;
    if (this.#blockLength > 56) {
      block.fill(0, this.#blockLength);
      this.#compress(block, 0);
      this.#blockLength = 0;
    }
    block.fill(0, this.#blockLength, 56);
    writeUint32(block, 56, bitsHigh);
    writeUint32(block, 60, bitsLow);
    this.#compress(block, 0);
    const out = new Uint8Array(32);
    for (let i = 0; i < 8; i++) writeUint32(out, i * 4, this.#state[i] as number);
    this.#result = out;
    return out.slice();
  }

  /** The digest as lower-case hex. */
  hex(): string {
    return toHex(this.digest());
  }

  #compress(data: Uint8Array, offset: number): void {
    const w = this.#w;
    const s = this.#state;
    for (let i = 0; i < 16; i++) {
      const j = offset + i * 4;
      w[i] =
        ((data[j] as number) << 24) |
        ((data[j + 1] as number) << 16) |
        ((data[j + 2] as number) << 8) |
        (data[j + 3] as number);
    }
    for (let i = 16; i < 64; i++) {
      const a = w[i - 15] as number;
      const b = w[i - 2] as number;
      const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
      const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
      w[i] = ((w[i - 16] as number) + s0 + (w[i - 7] as number) + s1) | 0;
    }
    let a = s[0] as number;
    let b = s[1] as number;
    let c = s[2] as number;
    let d = s[3] as number;
    let e = s[4] as number;
    let f = s[5] as number;
    let g = s[6] as number;
    let h = s[7] as number;
    for (let i = 0; i < 64; i++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const ch = (e & f) ^ (~e & g);
      const t1 = (h + S1 + ch + (K[i] as number) + (w[i] as number)) | 0;
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const maj = (a & b) ^ (a & c) ^ (b & c);
      const t2 = (S0 + maj) | 0;
      h = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    s[0] = ((s[0] as number) + a) | 0;
    s[1] = ((s[1] as number) + b) | 0;
    s[2] = ((s[2] as number) + c) | 0;
    s[3] = ((s[3] as number) + d) | 0;
    s[4] = ((s[4] as number) + e) | 0;
    s[5] = ((s[5] as number) + f) | 0;
    s[6] = ((s[6] as number) + g) | 0;
    s[7] = ((s[7] as number) + h) | 0;
  }
}

function writeUint32(out: Uint8Array, offset: number, value: number): void {
  out[offset] = value >>> 24;
  out[offset + 1] = (value >>> 16) & 0xff;
  out[offset + 2] = (value >>> 8) & 0xff;
  out[offset + 3] = value & 0xff;
}

/**
 * SHA-256 of some bytes (or a string, as UTF-8), as lower-case hex.
 *
 * @example
 * sha256Hex("abc"); // "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
 */
export function sha256Hex(data: Uint8Array | string): string {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  return new Sha256().update(bytes).hex();
}

/**
 * SHA-256 of a byte stream, read chunk by chunk (constant memory), as lower-case hex.
 *
 * @example
 * const hex = await sha256OfStream((await fetch(url)).body!);
 */
export async function sha256OfStream(
  stream: ReadableStream<Uint8Array>,
): Promise<{ sha256: string; size: number }> {
  const hash = new Sha256();
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    hash.update(value);
  }
  return { sha256: hash.hex(), size: hash.bytesHashed };
}
