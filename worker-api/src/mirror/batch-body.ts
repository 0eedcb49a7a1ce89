/**
 * Reads a request body piece by piece — a line, then exact byte counts — holding at most what the
 * caller asks for plus the rest of one network chunk. A body that ends early or breaks off (the
 * client went away) is not an exception: the read that cannot be completed returns null and
 * `ended` tells why, so the caller can still finish what it received whole.
 */
export class BodyReader {
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  /** The unread rest of the last chunk. */
  private pending: Uint8Array = new Uint8Array(0);
  private done = false;
  /** Why the body ended before the caller's reads did: `eof` (it was shorter) or `broken`. */
  ended: "eof" | "broken" | null = null;
  /** Bytes handed to the caller (or skipped) so far. */
  consumed = 0;

  constructor(body: ReadableStream<Uint8Array>) {
    this.reader = body.getReader();
  }

  /** The next chunk into `pending`; false at the end of the body (or when it broke off). */
  private async pull(): Promise<boolean> {
    if (this.done) return false;
    try {
      const { done, value } = await this.reader.read();
      if (done) {
        this.done = true;
        return false;
      }
      this.pending = value instanceof Uint8Array ? value : new Uint8Array(value);
      return true;
    } catch {
      this.done = true;
      this.ended = "broken";
      return false;
    }
  }

  private take(n: number): Uint8Array {
    const part = this.pending.subarray(0, n);
    this.pending = this.pending.subarray(n);
    this.consumed += part.byteLength;
    return part;
  }

  /**
   * The bytes up to the next `\n` (without it), at most `max` of them: `too_long` when no `\n`
   * comes within `max` bytes, `eof` when the body ends first.
   */
  async readLine(max: number): Promise<Uint8Array | "too_long" | "eof"> {
    const parts: Uint8Array[] = [];
    let length = 0;
    for (;;) {
      if (this.pending.byteLength === 0 && !(await this.pull())) {
        this.ended ??= "eof";
        return "eof";
      }
      const newline = this.pending.indexOf(0x0a);
      const upTo = newline === -1 ? this.pending.byteLength : newline;
      if (length + upTo > max) return "too_long";
      parts.push(this.take(upTo));
      length += upTo;
      if (newline !== -1) {
        this.take(1);
        return concat(parts, length);
      }
    }
  }

  /**
   * Fills `out` with the next `out.byteLength` bytes (a view into the caller's buffer, so a blob is
   * read where it will be kept); false when the body ends (or breaks off) before the last of them.
   */
  async readInto(out: Uint8Array): Promise<boolean> {
    const n = out.byteLength;
    let filled = 0;
    while (filled < n) {
      if (this.pending.byteLength === 0 && !(await this.pull())) {
        this.ended ??= "eof";
        return false;
      }
      const part = this.take(n - filled);
      out.set(part, filled);
      filled += part.byteLength;
    }
    return true;
  }

  /** Reads past `n` bytes without keeping them; false when the body ends first. */
  async skip(n: number): Promise<boolean> {
    let left = n;
    while (left > 0) {
      if (this.pending.byteLength === 0 && !(await this.pull())) {
        this.ended ??= "eof";
        return false;
      }
      left -= this.take(left).byteLength;
    }
    return true;
  }

  /** Whether the body has no more bytes (reads one more chunk to tell). */
  async atEnd(): Promise<boolean> {
    return this.pending.byteLength === 0 && !(await this.pull());
  }

  /** Stops reading: the rest of the body is discarded. */
  async cancel(): Promise<void> {
    if (this.done) return;
    this.done = true;
    await this.reader.cancel().catch(() => {});
  }
}

function concat(parts: Uint8Array[], length: number): Uint8Array {
  if (parts.length === 1 && parts[0]) return parts[0];
  const out = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
}
