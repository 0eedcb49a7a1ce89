/** Minimal image headers for the build's tests: only the bytes a size reader looks at. */

export function png(width: number, height: number): Uint8Array {
  const bytes = new Uint8Array(33);
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  const view = new DataView(bytes.buffer);
  view.setUint32(16, width);
  view.setUint32(20, height);
  return bytes;
}

export function gif(width: number, height: number): Uint8Array {
  const bytes = new Uint8Array(13);
  bytes.set([...new TextEncoder().encode("GIF89a")]);
  const view = new DataView(bytes.buffer);
  view.setUint16(6, width, true);
  view.setUint16(8, height, true);
  return bytes;
}

/** SOI, an APP0 segment of `app0Length` bytes (EXIF data sits there too), fill bytes, then SOF2. */
export function jpeg(width: number, height: number, app0Length = 16): Uint8Array {
  const bytes = new Uint8Array(4 + app0Length + 2 + 19);
  const view = new DataView(bytes.buffer);
  bytes.set([0xff, 0xd8, 0xff, 0xe0]);
  view.setUint16(4, app0Length);
  let at = 4 + app0Length;
  bytes.set([0xff, 0xff], at); // a fill byte before the next marker
  at += 1;
  bytes.set([0xff, 0xc2], at);
  view.setUint16(at + 2, 17);
  bytes[at + 4] = 8;
  view.setUint16(at + 5, height);
  view.setUint16(at + 7, width);
  return bytes;
}

export function webpVp8x(width: number, height: number): Uint8Array {
  const bytes = new Uint8Array(30);
  const ascii = new TextEncoder();
  bytes.set(ascii.encode("RIFF"), 0);
  bytes.set(ascii.encode("WEBPVP8X"), 8);
  const u24 = (at: number, v: number) => bytes.set([v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff], at);
  u24(24, width - 1);
  u24(27, height - 1);
  return bytes;
}
