// The transpiler comparison behind docs/previews.md "Transpiler choice": for each candidate, the
// size of a Worker bundle holding it, milliseconds per file on Node and inside workerd, and whether
// it keeps the source's lines (build and runtime errors then need no source maps).
//
//   npx tsx bench/transpilers.ts [--modules <dir>] [--no-workerd]
//
// Only sucrase is a dependency of the project; esbuild comes with tsx/wrangler. To compare the
// others, install them in a scratch folder and point --modules at it (the project's package.json
// stays as it is):
//   mkdir /tmp/tb && cd /tmp/tb && npm init -y && npm i -E sucrase@3.35.1 esbuild @babel/standalone \
//     @swc/wasm-web oxc-transform@0.151.0
// A candidate that is not installed is reported as such. Not part of `npm run bench`.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { largeFile, SCREEN_TSX } from "../worker-consumers/src/build/fixtures.ts";

const args = process.argv.slice(2);
const modulesDir = path.resolve(
  args.includes("--modules") ? (args[args.indexOf("--modules") + 1] ?? ".") : ".",
);
const WORKERD = !args.includes("--no-workerd");
const LARGE = largeFile(2000);
const requireFrom = createRequire(path.join(modulesDir, "package.json"));

type Run = (source: string) => string;
interface Candidate {
  name: string;
  pkg: string;
  /** Loads it in Node. */
  load(): Promise<Run>;
  /** The body of a Worker module defining `run(source)`, or why it cannot run in a Worker. */
  worker: { code: string; wasm?: string } | { cannot: string };
  notes: string;
}

const importPkg = async (name: string) => import(pathToFileURL(requireFrom.resolve(name)).href);
const version = (pkg: string) => {
  try {
    return (
      JSON.parse(readFileSync(requireFrom.resolve(`${pkg}/package.json`), "utf8")) as { version: string }
    ).version;
  } catch {
    return null;
  }
};

const SUCRASE_OPTIONS = {
  transforms: ["typescript", "jsx", "imports"],
  jsxRuntime: "automatic",
  production: true,
  disableESTransforms: true,
  filePath: "Screen.tsx",
};
const BABEL_OPTIONS = {
  filename: "Screen.tsx",
  presets: [
    ["typescript", { isTSX: true, allExtensions: true }],
    ["react", { runtime: "automatic" }],
  ],
  plugins: ["transform-modules-commonjs"],
  retainLines: true,
  babelrc: false,
  configFile: false,
};
const SWC_OPTIONS = {
  filename: "Screen.tsx",
  jsc: {
    parser: { syntax: "typescript", tsx: true },
    transform: { react: { runtime: "automatic" } },
    target: "es2022",
  },
  module: { type: "commonjs" },
};
const json = JSON.stringify;

const CANDIDATES: Candidate[] = [
  {
    name: "sucrase",
    pkg: "sucrase",
    load: async () => {
      const { transform } = await importPkg("sucrase");
      return (source) => transform(source, SUCRASE_OPTIONS).code;
    },
    worker: {
      code: `import { transform } from "sucrase";\nexport const run = (s) => transform(s, ${json(SUCRASE_OPTIONS)}).code;`,
    },
    notes: "TS, JSX, Flow, ESM→CJS; keeps lines by design",
  },
  {
    name: "esbuild (JS API)",
    pkg: "esbuild",
    load: async () => {
      const { transformSync } = await importPkg("esbuild");
      return (source) => transformSync(source, { loader: "tsx", format: "cjs", jsx: "automatic" }).code;
    },
    worker: { cannot: "native binary; esbuild-wasm is ≈ 14 MB (3.7 MB gzip) and needs a Go runtime in wasm" },
    notes: "reprints the code (lines move); no Flow",
  },
  {
    name: "@babel/standalone",
    pkg: "@babel/standalone",
    load: async () => {
      const Babel = await importPkg("@babel/standalone");
      return (source) => (Babel.default ?? Babel).transform(source, BABEL_OPTIONS).code;
    },
    worker: {
      code: `import * as Babel from "@babel/standalone";\nexport const run = (s) => Babel.transform(s, ${json(BABEL_OPTIONS)}).code;`,
    },
    notes: "Metro's own transformer family; retainLines keeps lines",
  },
  {
    name: "@swc/wasm-web",
    pkg: "@swc/wasm-web",
    load: async () => {
      const swc = await importPkg("@swc/wasm-web");
      swc.initSync({ module: readFileSync(requireFrom.resolve("@swc/wasm-web/wasm_bg.wasm")) });
      return (source) => swc.transformSync(source, SWC_OPTIONS).code;
    },
    worker: {
      code: `import { initSync, transformSync } from "@swc/wasm-web";\nimport wasm from "./swc.wasm";\ninitSync({ module: wasm });\nexport const run = (s) => transformSync(s, ${json(SWC_OPTIONS)}).code;`,
      wasm: "@swc/wasm-web/wasm_bg.wasm",
    },
    notes: "reprints the code (lines move)",
  },
  {
    name: "oxc-transform (native)",
    pkg: "oxc-transform",
    load: async () => {
      const oxc = await importPkg("oxc-transform");
      return (source) =>
        oxc.transformSync("Screen.tsx", source, { jsx: { runtime: "automatic" }, typescript: {} }).code;
    },
    worker: {
      cannot:
        "its wasm build (@oxc-transform/binding-wasm32-wasi) needs Web Workers and a shared memory of 4,000 pages (250 MiB) at start: no workers in workerd, 128 MB limit",
    },
    notes: "reprints the code; emits ES modules only (no CommonJS)",
  },
];

/** Whether every `L<n>` marker of the fixture is still on line n of the output. */
function keepsLines(output: string): string {
  const markers = [...SCREEN_TSX.matchAll(/L(\d+)/g)].map((m) => Number(m[1]));
  const lines = output.split("\n");
  const moved = markers.filter((n) => !(lines[n - 1] ?? "").includes(`L${n}`));
  return moved.length === 0 ? "yes" : `no (${moved.length}/${markers.length} markers moved)`;
}

/** ms per file: the best of 3 batches of n runs after a warm-up, the same method as in workerd. */
function nodeMs(run: Run, source: string, n: number): number {
  for (let i = 0; i < 10; i++) run(source); // warm up the JIT
  const batches: number[] = [];
  for (let b = 0; b < 3; b++) {
    const start = performance.now();
    for (let i = 0; i < n; i++) run(source);
    batches.push((performance.now() - start) / n);
  }
  return Math.min(...batches);
}

async function bundle(dir: string, code: string): Promise<string> {
  mkdirSync(path.join(dir, "out"), { recursive: true });
  writeFileSync(path.join(dir, "entry.mjs"), code);
  await build({
    entryPoints: [path.join(dir, "entry.mjs")],
    bundle: true,
    format: "esm",
    platform: "browser",
    conditions: ["workerd", "worker", "browser"],
    nodePaths: [path.join(modulesDir, "node_modules")],
    external: ["*.wasm"],
    outfile: path.join(dir, "out", "entry.js"),
    logLevel: "silent",
  });
  return path.join(dir, "out", "entry.js");
}

/** The Worker for timing (fixtures inlined) and the size of the transpiler alone, as wrangler ships it (not minified). */
async function workerBundle(c: Candidate, dir: string) {
  if ("cannot" in c.worker) return null;
  const sized = await bundle(
    path.join(dir, "size"),
    `${c.worker.code}\nexport default { fetch: () => new Response(String(run.length)) };\n`,
  );
  const script = await bundle(
    dir,
    `${c.worker.code}
const SCREEN = ${json(SCREEN_TSX)};
const LARGE = ${json(LARGE)};
export default {
  async fetch(request) {
    const url = new URL(request.url);
    const source = url.searchParams.get("f") === "large" ? LARGE : SCREEN;
    let length = 0;
    for (let i = 0; i < Number(url.searchParams.get("n")); i++) length += run(source).length;
    return new Response(String(length));
  },
};
`,
  );
  const js = readFileSync(sized);
  const wasm = c.worker.wasm ? readFileSync(requireFrom.resolve(c.worker.wasm)) : Buffer.alloc(0);
  if (c.worker.wasm) writeFileSync(path.join(dir, "out", "swc.wasm"), wasm);
  return {
    script,
    wasm: c.worker.wasm ? path.join(dir, "out", "swc.wasm") : null,
    raw: js.length + wasm.length,
    gzip: gzipSync(js).length + (wasm.length ? gzipSync(wasm).length : 0),
  };
}

/**
 * ms per file inside workerd. A Worker's clock stands still while it computes (Spectre
 * mitigation), so time is taken from outside: n transforms in one request, less an empty request.
 */
async function workerdMs(
  script: string,
  wasm: string | null,
): Promise<{ screen: number; large: number } | string> {
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      modules: [
        // Names, not paths: workerd refuses module paths that climb out of the current directory.
        { type: "ESModule", path: "entry.js", contents: readFileSync(script, "utf8") },
        ...(wasm ? [{ type: "CompiledWasm" as const, path: "swc.wasm", contents: readFileSync(wasm) }] : []),
      ],
      compatibilityDate: "2026-10-20",
    }),
  );
  try {
    const call = async (f: string, n: number) => {
      const start = performance.now();
      const res = await mf.dispatchFetch(`http://bench/?f=${f}&n=${n}`);
      const text = await res.text();
      if (!res.ok) throw new Error(text.slice(0, 300));
      return performance.now() - start;
    };
    await call("screen", 20);
    const per = async (f: string, n: number) => {
      const runs: number[] = [];
      for (let i = 0; i < 3; i++) runs.push(((await call(f, n)) - (await call(f, 0))) / n);
      return Math.min(...runs);
    };
    return { screen: await per("screen", 100), large: await per("large", 5) };
  } catch (e) {
    return `failed: ${(e as Error).message.split("\n")[0]}`;
  } finally {
    await mf.dispose();
  }
}

const kib = (n: number) => `${Math.round(n / 1024).toLocaleString("en")} KiB`;
const ms = (n: number) => (n < 1 ? n.toFixed(2) : n < 10 ? n.toFixed(1) : n.toFixed(0));

const work = path.join(tmpdir(), `hs-transpilers-${process.pid}`);
process.on("exit", () => rmSync(work, { recursive: true, force: true }));
const rows: string[] = [];
console.error(
  `fixtures: screen ${SCREEN_TSX.split("\n").length} lines, large ${LARGE.split("\n").length} lines`,
);
for (const c of CANDIDATES) {
  const v = version(c.pkg);
  if (!v) {
    rows.push(`| ${c.name} | not installed | | | | | |`);
    continue;
  }
  console.error(`measuring ${c.name}@${v}…`);
  const run = await c.load();
  const node = { screen: nodeMs(run, SCREEN_TSX, 100), large: nodeMs(run, LARGE, 5) };
  const lines = keepsLines(run(SCREEN_TSX));
  const bundle = WORKERD ? await workerBundle(c, path.join(work, c.pkg.replace(/\W/g, "_"))) : null;
  let size = "cannot" in c.worker ? "cannot run in a Worker" : "—";
  const notes = "cannot" in c.worker ? `${c.notes}; not in a Worker: ${c.worker.cannot}` : c.notes;
  let inWorkerd = "—";
  if (bundle) {
    size = `${kib(bundle.raw)} / ${kib(bundle.gzip)}`;
    const t = await workerdMs(bundle.script, bundle.wasm);
    inWorkerd = typeof t === "string" ? t : `${ms(t.screen)} / ${ms(t.large)}`;
  }
  rows.push(
    `| ${c.name} ${v} | ${size} | ${ms(node.screen)} / ${ms(node.large)} | ${inWorkerd} | ${lines} | ${notes} |`,
  );
}
console.log(
  "| transpiler | Worker bundle raw / gzip | Node ms: screen / 2,000 lines | workerd ms: screen / 2,000 lines | keeps lines | notes |",
);
console.log("|---|---|---|---|---|---|");
for (const row of rows) console.log(row);
