/**
 * Decodes UTF-8 bytes to a string. Uses `TextDecoder` where the runtime has it and a small
 * decoder otherwise (Hermes, React Native's engine, ships TextEncoder but not always TextDecoder).
 *
 * @example
 * decodeUtf8(new Uint8Array([0x68, 0x69])); // "hi"
 */
export function decodeUtf8(bytes: Uint8Array): string {
  if (typeof TextDecoder === "function") return new TextDecoder().decode(bytes);
  let out = "";
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i++] as number;
    let cp: number;
    if (b < 0x80) cp = b;
    else if (b >= 0xf0)
      cp = ((b & 0x07) << 18) | (cont(bytes, i++) << 12) | (cont(bytes, i++) << 6) | cont(bytes, i++);
    else if (b >= 0xe0) cp = ((b & 0x0f) << 12) | (cont(bytes, i++) << 6) | cont(bytes, i++);
    else cp = ((b & 0x1f) << 6) | cont(bytes, i++);
    out += String.fromCodePoint(cp);
  }
  return out;
}

function cont(bytes: Uint8Array, i: number): number {
  return ((bytes[i] as number) ?? 0) & 0x3f;
}
