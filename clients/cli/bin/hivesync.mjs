#!/usr/bin/env node
// The `hivesync` command. The CLI is TypeScript run as it is, with no build step between editing it
// and running it (`npx hivesync …` in the repository). On a Node that strips types itself (22.18+,
// 23.6+, 24) it runs natively: a resolve hook adds the `.ts` / `/index.ts` that the sources leave
// out, and Node's compile cache keeps the stripped, compiled modules between runs, so starting
// costs about a third of going through tsx. Older Nodes (and HIVESYNC_TS_LOADER=tsx) use tsx.
import module from "node:module";

const native =
  process.env.HIVESYNC_TS_LOADER !== "tsx" &&
  Boolean(process.features.typescript) &&
  typeof module.registerHooks === "function";

if (native) {
  const { statSync } = await import("node:fs");
  const { fileURLToPath, pathToFileURL } = await import("node:url");
  module.enableCompileCache?.();
  const isFile = (file) => statSync(file, { throwIfNoEntry: false })?.isFile() ?? false;
  module.registerHooks({
    resolve(specifier, context, nextResolve) {
      // `./hash-file` → `./hash-file.ts`, `../../core/src` → `../../core/src/index.ts` (what the
      // bundler-style imports of the sources mean), only for relative imports from TypeScript.
      if (
        (specifier.startsWith("./") || specifier.startsWith("../")) &&
        context.parentURL?.startsWith("file:") &&
        context.parentURL.endsWith(".ts") &&
        !/\.[cm]?[jt]sx?$/.test(specifier)
      ) {
        const file = fileURLToPath(new URL(specifier, context.parentURL));
        for (const candidate of [`${file}.ts`, `${file}/index.ts`]) {
          if (isFile(candidate)) return nextResolve(pathToFileURL(candidate).href, context);
        }
      }
      return nextResolve(specifier, context);
    },
  });
} else {
  const { register } = await import("tsx/esm/api");
  register();
}

const { main } = await import("../src/main.ts");
process.exitCode = await main(process.argv.slice(2));
