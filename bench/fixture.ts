// A realistic project for the benchmark: ≥ 300 files and ≥ 3 MB of mixed sizes — source files,
// JSON and a few 100–500 KB assets — generated deterministically so runs compare.
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";

/** A small seeded PRNG (mulberry32): the same seed gives the same project every run. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function sourceFile(i: number, lines: number, random: () => number): string {
  const out = [`import { helper${i % 7} } from "../lib/helper${i % 7}";`, ""];
  for (let f = 0; out.length < lines; f++) {
    out.push(
      `/** Computes value ${f} of module ${i}. */`,
      `export function fn${i}_${f}(x: number): number {`,
    );
    for (let l = 0; l < 6; l++) out.push(`  x = helper${i % 7}(x * ${Math.floor(random() * 1000)} + ${l});`);
    out.push("  return x;", "}", "");
  }
  return `${out.join("\n")}\n`;
}

/** Writes the fixture into `dir` and returns its file count and total bytes. */
export async function writeFixture(
  dir: string,
  seed = 42,
): Promise<{ files: number; bytes: number; smallFile: string }> {
  const random = rng(seed);
  let files = 0;
  let bytes = 0;
  const put = async (rel: string, data: string | Uint8Array) => {
    const file = path.join(dir, rel);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, data);
    files += 1;
    bytes += typeof data === "string" ? Buffer.byteLength(data) : data.length;
  };
  for (let i = 0; i < 7; i++)
    await put(
      `src/lib/helper${i}.ts`,
      `export function helper${i}(x: number): number {\n  return x + ${i};\n}\n`,
    );
  for (let i = 0; i < 280; i++) {
    const folder = ["components", "screens", "hooks", "utils", "api"][i % 5];
    await put(`src/${folder}/module${i}.tsx`, sourceFile(i, 40 + Math.floor(random() * 160), random));
  }
  for (let i = 0; i < 15; i++) {
    const data = Object.fromEntries(
      Array.from({ length: 50 + Math.floor(random() * 200) }, (_, k) => [
        `key_${i}_${k}`,
        random().toString(36),
      ]),
    );
    await put(`data/config${i}.json`, JSON.stringify(data, null, 2));
  }
  for (let i = 0; i < 6; i++) {
    const size = 100_000 + Math.floor(random() * 400_000);
    const asset = new Uint8Array(size);
    for (let b = 0; b < size; b++) asset[b] = Math.floor(random() * 256);
    await put(`assets/image${i}.png`, asset);
  }
  await put(
    "App.tsx",
    'import { Screen } from "./src/screens/module1";\n\nexport default function App() {\n  return null;\n}\n',
  );
  await put(
    "package.json",
    JSON.stringify({ name: "bench-app", main: "App.tsx", dependencies: { expo: "~52.0.0" } }, null, 2),
  );
  return { files, bytes, smallFile: "src/lib/helper3.ts" };
}
