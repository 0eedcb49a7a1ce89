// A stand-in for the preview build and worker-api in the page tests: module scripts in the
// contract's format (docs/previews.md §1, transformed with sucrase like the real build), manifests
// with their module graph (§5), and a same-origin static server with the page's strict CSP.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { crc32, deflateSync } from "node:zlib";
import { transform } from "sucrase";
import { framePolicy } from "../../worker-api/src/preview-origin/policies";
import { SdkRuntime } from "../../worker-consumers/src/build/sdk";
import { SDK_TABLES, SDK_VERSIONS } from "../dist/sdks.js";

/** The preview frame's policy (a top-level page here: nothing embeds it). */
const PAGE_POLICY = framePolicy({ shellOrigins: ["'none'"], local: true });
const DIST = path.join(import.meta.dirname, "../dist");
/** The newest SDK, as the preview build picks it for an app without an `expo` version. */
export const SDK = new SdkRuntime(SDK_TABLES[SDK_VERSIONS[SDK_VERSIONS.length - 1] ?? ""] as never);
const sha256 = (data: string | Uint8Array) => createHash("sha256").update(data).digest("hex");

interface ModuleRecord {
  key: string;
  url: string;
  deps: Record<string, string>;
}

/** One built revision: a manifest whose module graph points at scripts the server holds. */
export interface BuiltRevision {
  manifest: { revision: number; project: { name: string }; app: Record<string, unknown> };
  /** Module id → key. */
  keys: Record<string, string>;
}

/** A solid-colour PNG, so `<Image source={require('./icon.png')}>` has real bytes to show. */
export function solidPng(width: number, height: number, [r, g, b]: [number, number, number]): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), body.length + 4);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const row = Buffer.concat([
    Buffer.from([0]),
    Buffer.from(Array.from({ length: width }, () => [r, g, b]).flat()),
  ]);
  const pixels = deflateSync(Buffer.concat(Array.from({ length: height }, () => row)));
  const signature = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);
  return Buffer.concat([
    signature,
    chunk("IHDR", header),
    chunk("IDAT", pixels),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** The fixture: a static server plus a tiny "build" that turns source files into revisions. */
export class FixtureApp {
  readonly requests: string[] = [];
  private readonly files = new Map<string, { type: string; body: string | Buffer }>();
  private server: Server | undefined;
  /** Read by start(), after the test has (re)built the runtime. */
  runtime = { hash: "", url: "", script: "" };
  origin = "";

  /** Starts the server on a free loopback port. */
  async start(): Promise<void> {
    this.runtime = readRuntime();
    this.server = createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://x");
      this.requests.push(url.pathname);
      const file =
        url.pathname === "/"
          ? { type: "text/html; charset=utf-8", body: this.page() }
          : (this.files.get(url.pathname) ?? sdkFile(url.pathname));
      // The browser asks for a favicon on its own; that is not the runtime's business.
      if (url.pathname === "/favicon.ico") {
        res.writeHead(204).end();
        return;
      }
      if (!file) {
        res.writeHead(404, { "content-type": "text/plain" }).end("not found");
        return;
      }
      res
        .writeHead(200, {
          "content-type": file.type,
          "content-security-policy": PAGE_POLICY,
          "x-content-type-options": "nosniff",
          "cache-control": url.pathname.startsWith("/manifest/")
            ? "no-store"
            : "public, max-age=31536000, immutable",
        })
        .end(file.body);
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    this.files.set(this.runtime.url, {
      type: "application/javascript; charset=utf-8",
      body: this.runtime.script,
    });
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  /** The preview page: an empty #root and the runtime, booting from the first manifest. */
  page(): string {
    return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
<title>Demo — HiveSync preview</title></head>
<body><div id="root"></div>
<script src="${this.runtime.url}" data-manifest="/manifest/1.json" data-project="Demo"
 data-deep-link="hivesync://preview?code=ABCD-EFGH"></script>
</body></html>`;
  }

  /**
   * "Builds" a revision: transforms each source file like the preview build (sucrase, automatic
   * JSX runtime, ES modules → CommonJS, same lines), resolves its requires (relative → module id,
   * bare → `runtime:<SDK module id>`), serves the scripts and the manifest at /manifest/<revision>.json.
   */
  build(
    revision: number,
    sources: Record<string, string | Buffer>,
    entry = "index.js",
    /** More of the manifest's app section (`config`, `env`, `favicon`). */
    more: Record<string, unknown> = {},
  ): BuiltRevision {
    const modules: Record<string, ModuleRecord> = {};
    const keys: Record<string, string> = {};
    const ids = Object.keys(sources);
    for (const [id, source] of Object.entries(sources)) {
      let code: string;
      if (Buffer.isBuffer(source)) {
        const blob = sha256(source);
        this.files.set(`/m/blob/${blob}`, { type: "image/png", body: source });
        code = `module.exports = ${JSON.stringify({ uri: `/m/blob/${blob}`, width: source.readUInt32BE(16), height: source.readUInt32BE(20) })};`;
      } else {
        code = transform(source, {
          transforms: ["jsx", "imports"],
          jsxRuntime: "automatic",
          production: false,
          filePath: id,
        }).code;
      }
      const key = sha256(`test-transform-1\n${sha256(source)}`);
      const deps: Record<string, string> = {};
      for (const [, spec] of code.matchAll(/require\(['"]([^'"]+)['"]\)/g)) {
        if (!spec) continue;
        deps[spec] = spec.startsWith(".")
          ? (ids.find((candidate) => [".js", ".png", ""].some((ext) => `./${candidate}` === spec + ext)) ??
            spec)
          : `runtime:${SDK.resolve(spec) ?? spec}`;
      }
      const script = `__hs.f(${JSON.stringify(key)},function(require,module,exports,__filename,__dirname){${code}\n});`;
      this.files.set(`/m/${key}.js`, { type: "application/javascript; charset=utf-8", body: script });
      modules[id] = { key, url: `/m/${key}.js`, deps };
      keys[id] = key;
    }
    const used = Object.values(modules).flatMap((m) =>
      Object.values(m.deps)
        .filter((t) => t.startsWith("runtime:"))
        .map((t) => t.slice("runtime:".length)),
    );
    return this.publish(
      revision,
      { runtime: this.runtime.url, sdk: SDK.section(used), entry, modules, ...more },
      keys,
    );
  }

  /** Publishes a revision whose build failed: its manifest carries only the errors. */
  buildError(
    revision: number,
    errors: { file: string; line: number; column: number; message: string; frame?: string }[],
  ) {
    return this.publish(revision, { runtime: this.runtime.url, errors }, {});
  }

  private publish(
    revision: number,
    app: Record<string, unknown>,
    keys: Record<string, string>,
  ): BuiltRevision {
    const manifest = { revision, project: { name: "Demo" }, app };
    this.files.set(`/manifest/${revision}.json`, {
      type: "application/json",
      body: JSON.stringify(manifest),
    });
    return { manifest, keys };
  }
}

/** An SDK chunk or package asset the runtime build wrote (runtime/dist/public), as worker-api serves it. */
function sdkFile(pathname: string): { type: string; body: Buffer } | undefined {
  const match = /^\/runtime\/([ca]\/[0-9a-f]+\.(js|ttf|png))$/.exec(pathname);
  if (!match?.[1]) return undefined;
  try {
    const body = readFileSync(path.join(DIST, "public", match[1]));
    const type =
      match[2] === "js"
        ? "application/javascript; charset=utf-8"
        : match[2] === "ttf"
          ? "font/ttf"
          : "image/png";
    return { type, body };
  } catch {
    return undefined;
  }
}

function readRuntime() {
  const meta = readFileSync(path.join(DIST, "meta.js"), "utf8");
  const hash = /RUNTIME_HASH = "([0-9a-f]+)"/.exec(meta)?.[1];
  if (!hash) throw new Error("runtime/dist/meta.js has no RUNTIME_HASH: run node runtime/build.mjs");
  return {
    hash,
    url: `/runtime/${hash}.js`,
    script: readFileSync(path.join(DIST, "hivesync-runtime.js"), "utf8"),
  };
}
