// The server side of a WebSocket (RFC 6455), by hand on node:http's `upgrade` event, for tests of the
// clients' live channel without adding a package: the handshake, text frames both ways (the
// client's masked), ping/pong and close. Enough for JSON frames of a few KB; not a general server.
import { createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/** The subprotocols a handshake offers (`Sec-WebSocket-Protocol: a, b`). */
export function offeredProtocols(req: IncomingMessage): string[] {
  return String(req.headers["sec-websocket-protocol"] ?? "")
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean);
}

/** Answers an upgrade with an HTTP error instead (what a server does for a bad token). */
export function refuseUpgrade(socket: Duplex, status: number, body = ""): void {
  const reason = { 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found" }[status];
  socket.end(
    `HTTP/1.1 ${status} ${reason ?? "Error"}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** One accepted connection, as the test's server sees it. */
export class ServerWebSocket {
  readonly protocols: string[];
  readonly path: string;
  readonly received: string[] = [];
  closed = false;
  /** The close code the client sent (undefined: the connection just ended). */
  closeCode: number | undefined;
  onMessage: ((text: string) => void) | undefined;
  onClose: (() => void) | undefined;
  readonly #socket: Duplex;
  #buffer = Buffer.alloc(0);

  constructor(socket: Duplex, path: string, protocols: string[]) {
    this.#socket = socket;
    this.path = path;
    this.protocols = protocols;
    socket.on("data", (chunk: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      this.#drain();
    });
    socket.on("close", () => this.#ended());
    socket.on("error", () => this.#ended());
  }

  /** Sends one text frame. */
  send(text: string): void {
    if (!this.closed) this.#socket.write(frame(0x1, Buffer.from(text)));
  }

  /** Sends a close frame with `code` and ends the connection. */
  close(code = 1000, reason = ""): void {
    if (this.closed) return;
    const payload = Buffer.alloc(2 + Buffer.byteLength(reason));
    payload.writeUInt16BE(code, 0);
    payload.write(reason, 2);
    this.#socket.end(frame(0x8, payload));
    this.#ended();
  }

  /** Drops the TCP connection without a close frame (a network that went away: 1006 at the client). */
  drop(): void {
    this.#socket.destroy();
    this.#ended();
  }

  #ended(): void {
    if (this.closed) return;
    this.closed = true;
    this.onClose?.();
  }

  #drain(): void {
    for (;;) {
      const b = this.#buffer;
      if (b.length < 2) return;
      const opcode = (b[0] as number) & 0x0f;
      const masked = ((b[1] as number) & 0x80) !== 0;
      let length = (b[1] as number) & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (b.length < 4) return;
        length = b.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (b.length < 10) return;
        length = Number(b.readBigUInt64BE(2));
        offset = 10;
      }
      const maskAt = offset;
      if (masked) offset += 4;
      if (b.length < offset + length) return;
      const payload = Buffer.from(b.subarray(offset, offset + length));
      if (masked) for (let i = 0; i < payload.length; i++) payload[i] ^= b[maskAt + (i % 4)] as number;
      this.#buffer = b.subarray(offset + length);
      if (opcode === 0x1) {
        const text = payload.toString("utf8");
        this.received.push(text);
        this.onMessage?.(text);
      } else if (opcode === 0x8) {
        this.closeCode = payload.length >= 2 ? payload.readUInt16BE(0) : undefined;
        // Echo the close (the closing handshake), then end.
        if (!this.closed) this.#socket.end(frame(0x8, payload.subarray(0, 2)));
        this.#ended();
        return;
      } else if (opcode === 0x9) {
        this.#socket.write(frame(0xa, payload));
      }
    }
  }
}

/**
 * Completes the handshake of an `upgrade` request, answering `protocol` when the client offered it.
 *
 * @example
 * server.on("upgrade", (req, socket) => {
 *   const ws = acceptWebSocket(req, socket, "hivesync");
 *   ws.send(JSON.stringify({ type: "status" }));
 * });
 */
export function acceptWebSocket(req: IncomingMessage, socket: Duplex, protocol?: string): ServerWebSocket {
  const key = String(req.headers["sec-websocket-key"] ?? "");
  const accept = createHash("sha1")
    .update(key + GUID)
    .digest("base64");
  const protocols = offeredProtocols(req);
  const lines = [
    "HTTP/1.1 101 Switching Protocols",
    "Upgrade: websocket",
    "Connection: Upgrade",
    `Sec-WebSocket-Accept: ${accept}`,
    ...(protocol && protocols.includes(protocol) ? [`Sec-WebSocket-Protocol: ${protocol}`] : []),
  ];
  socket.write(`${lines.join("\r\n")}\r\n\r\n`);
  return new ServerWebSocket(socket, req.url ?? "/", protocols);
}

function frame(opcode: number, payload: Buffer): Buffer {
  const length = payload.length;
  const header =
    length < 126
      ? Buffer.from([0x80 | opcode, length])
      : length < 65536
        ? Buffer.from([0x80 | opcode, 126, length >> 8, length & 0xff])
        : Buffer.concat([Buffer.from([0x80 | opcode, 127]), bigLength(length)]);
  return Buffer.concat([header, payload]);
}

function bigLength(length: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(length));
  return b;
}
