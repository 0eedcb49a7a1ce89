// The compatibility run (docs/previews.md "Compatibility with real apps"): for each app of a
// checkout of public Expo apps (the `expo/examples` repository), Expo's own `expo export -p web`
// and a HiveSync preview of the same folder, opened in headless Chromium at a phone's size, and
// their first screens compared.
//
//   npm run compat -- --apps-dir ~/src/expo-examples [--only a,b] [--work /tmp/hs-compat] [--fresh]
//                     [--reinstall] [--results results.json]
//
// Each app is copied to the work folder and installed from the npm registry (`npm install`); the
// Expo side is kept between runs (delete the folder or pass --fresh to redo it; --reinstall runs
// npm install again over an existing install). The HiveSync side
// starts the local stack (`wrangler dev`) and pushes as `hivesync push` does: the dependencies the
// runtime does not provide are pre-bundled from node_modules, the app's files are synced without
// node_modules. Prints a Markdown table and writes `results.json` and both screenshots per app.
import { cp, mkdir, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { chromium } from "playwright-core";
import { HiveSyncClient, startPreview, syncFolder, watchPreview } from "../../clients/desktop/src";
import { syncDependencies } from "../../clients/desktop/src/dependencies";
import { startLocalStack } from "../../clients/e2e/local-stack";
import { rendered, sameScreen, textShare } from "./compare";
import { exportWeb, installApp, serveExport } from "./expo-side";
import { readScreen, type Screen } from "./screen";

const { values } = parseArgs({
  options: {
    "apps-dir": { type: "string" },
    only: { type: "string" },
    work: { type: "string", default: path.join(tmpdir(), "hivesync-compat") },
    fresh: { type: "boolean", default: false },
    reinstall: { type: "boolean", default: false },
    results: { type: "string", default: "results.json" },
  },
});
if (!values["apps-dir"]) {
  console.error(
    "usage: npm run compat -- --apps-dir <folder of Expo apps> [--only a,b] [--work dir] [--fresh]",
  );
  process.exit(2);
}
const appsDir = path.resolve(values["apps-dir"]);
const work = path.resolve(values.work as string);
await mkdir(work, { recursive: true });

type Side = {
  ok: boolean;
  why?: string;
  lines: string[];
  drawn: number;
  overlay?: string;
  overlayKind?: string;
  errors: string[];
};
type AppResult = { app: string; sdk?: string; expo: Side; ours?: Side; verdict: string };

const summary = (screen: Screen): Omit<Side, "ok" | "why"> => ({
  lines: screen.lines,
  drawn: Math.round(screen.drawn * 1000) / 1000,
  overlay: screen.overlay,
  overlayKind: screen.overlayKind,
  errors: screen.errors.slice(0, 5),
});
const firstLine = (text: string) =>
  text
    .split("\n")
    .find((l) => l.trim())
    ?.trim()
    .slice(0, 160) ?? "";
/** The line of a command's output that says what went wrong ("Error: Unable to resolve …"). */
const errorLine = (log: string) => {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: terminal colour codes
  const lines = log.replace(/\u001b\[[0-9;]*m/g, "").split("\n");
  return (lines.find((l) => /\b\w*Error\b:|\bERR!/.test(l)) ?? firstLine(log)).trim().slice(0, 200);
};

async function listApps(): Promise<string[]> {
  const only = values.only?.split(",").filter(Boolean);
  const names = (await readdir(appsDir, { withFileTypes: true }))
    .filter((e) => e.isDirectory() && !e.name.startsWith("."))
    .map((e) => e.name);
  const apps: string[] = [];
  for (const name of names.sort()) {
    if (only && !only.includes(name)) continue;
    if (await stat(path.join(appsDir, name, "package.json")).catch(() => null)) apps.push(name);
  }
  return apps;
}

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
});

/** Expo's side of one app, kept in `<work>/<app>.expo.json` between runs. */
async function expoSide(app: string, dir: string): Promise<Side> {
  const cached = path.join(work, `${app}.expo.json`);
  if (!values.fresh) {
    const text = await readFile(cached, "utf8").catch(() => null);
    if (text) return JSON.parse(text) as Side;
  }
  const blank = { lines: [], drawn: 0, errors: [] };
  const install = await installApp(dir, values.reinstall);
  let side: Side;
  if (!install.ok) side = { ok: false, why: `npm install failed: ${errorLine(install.log)}`, ...blank };
  else {
    const out = path.join(work, `${app}.web`);
    await rm(out, { recursive: true, force: true });
    const exported = await exportWeb(dir, out);
    if (!exported.ok) side = { ok: false, why: `expo export failed: ${errorLine(exported.log)}`, ...blank };
    else {
      const { url, close } = await serveExport(out, dir);
      try {
        const screen = await readScreen(browser, url);
        await writeFile(path.join(work, `${app}.expo.png`), screen.screenshot);
        side = {
          ok: rendered(screen),
          why: rendered(screen) ? undefined : "renders nothing",
          ...summary(screen),
        };
      } finally {
        close();
      }
    }
  }
  await writeFile(cached, JSON.stringify(side, null, 2));
  return side;
}

// A run over some apps updates their rows of the results file and keeps the others.
const resultsFile = path.resolve(work, values.results as string);
const results: AppResult[] = JSON.parse(await readFile(resultsFile, "utf8").catch(() => "[]"));
const record = async (result: AppResult) => {
  const at = results.findIndex((r) => r.app === result.app);
  if (at >= 0) results[at] = result;
  else results.push(result);
  results.sort((a, b) => (a.app < b.app ? -1 : 1));
  await writeFile(resultsFile, JSON.stringify(results, null, 2));
};
const stack = await startLocalStack();
try {
  const client = new HiveSyncClient({ baseUrl: stack.url });
  const name = `compat${Date.now().toString(36)}`;
  await client.auth.register({
    email: `${name}@example.com`,
    username: name,
    password: "a long enough password",
  });

  /** HiveSync's side: push the installed folder, start a preview, open its link. */
  async function ourSide(app: string, dir: string): Promise<Side> {
    const blank = { lines: [], drawn: 0, errors: [] };
    const project = await client.projects.create({ name: app, framework: "expo" });
    const deps = await syncDependencies(client, project.id, dir);
    const unbundled =
      deps.status === "no_node_modules"
        ? []
        : [
            ...deps.failed.map((f) => `${f.specifier}: ${f.reason}`),
            ...deps.notInstalled.map((s) => `${s}: not installed`),
          ];
    await syncFolder(client, project.id, dir);
    const started = await startPreview(client, project.id, { platform: "ios" });
    const status = await watchPreview(client, started.session_id, {
      signal: AbortSignal.timeout(5 * 60_000),
    });
    if (status.status !== "ready") {
      const error = (status.build_error?.errors?.[0] ?? status.error) as
        | { file?: string; line?: number; message?: string }
        | undefined;
      const where = error?.file ? `${error.file}:${error.line ?? 1}: ` : "";
      return {
        ok: false,
        why: `preview ${status.status}: ${where}${error?.message ?? "no error given"}`.slice(0, 300),
        ...blank,
      };
    }
    const screen = await readScreen(browser, started.link_url);
    await writeFile(path.join(work, `${app}.ours.png`), screen.screenshot);
    const ok = rendered(screen);
    return {
      ok,
      why: ok ? undefined : screen.overlay ? `overlay: ${firstLine(screen.overlay)}` : "renders nothing",
      ...summary(screen),
      errors: [...unbundled.map((f) => `not bundled: ${f.slice(0, 200)}`), ...screen.errors].slice(0, 8),
    };
  }

  for (const app of await listApps()) {
    const dir = path.join(work, app);
    if (!(await stat(dir).catch(() => null))) await cp(path.join(appsDir, app), dir, { recursive: true });
    const pkg = JSON.parse(await readFile(path.join(dir, "package.json"), "utf8"));
    const sdk = (pkg.dependencies?.expo as string | undefined)?.replace(/^[~^]/, "").split(".")[0];
    const started = performance.now();
    const expo = await expoSide(app, dir);
    let ours: Side | undefined;
    let verdict = "expo renders nothing";
    if (expo.ok) {
      ours = await ourSide(app, dir).catch((error: Error) => ({
        ok: false,
        why: `push failed: ${error.message.slice(0, 300)}`,
        lines: [],
        drawn: 0,
        errors: [],
      }));
      verdict = ours.ok ? sameScreen(expo, ours) : "blank";
    }
    const result = { app, sdk, expo, ours, verdict };
    await record(result);
    console.log(
      `${app}: ${verdict}${ours && !ours.ok ? ` (${ours.why})` : ""}${
        verdict === "different" && ours
          ? ` (${Math.round(textShare(expo.lines, ours.lines) * 100)} % of Expo's text)`
          : ""
      } in ${Math.round((performance.now() - started) / 1000)} s`,
    );
  }
} finally {
  await browser.close();
  await stack.stop();
}

/** The error line of an overlay's text ("ReferenceError: Platform is not defined"). */
const overlayError = (text: string) =>
  text
    .split("\n")
    .slice(1)
    .find((line) => /\w(Error|Exception)\b|Error:/.test(line))
    ?.trim() ?? firstLine(text);

const renderedByExpo = results.filter((r) => r.expo.ok);
const same = renderedByExpo.filter((r) => r.verdict === "same");
const rows = ["| app | SDK | Expo web export | HiveSync preview |", "|---|---|---|---|"];
for (const r of results) {
  const expo = r.expo.ok ? `renders (${r.expo.lines.length} lines of text)` : (r.expo.why ?? "");
  let ours = "—";
  if (r.ours && r.verdict === "same")
    ours = r.ours.overlay
      ? `same screen; also shows the app's own error \`${overlayError(r.ours.overlay)}\``
      : "same screen";
  else if (r.ours)
    ours = r.ours.ok
      ? `different (${Math.round(textShare(r.expo.lines, r.ours.lines) * 100)} % of Expo's text)`
      : (r.ours.why ?? "");
  rows.push(`| ${r.app} | ${r.sdk ?? "?"} | ${expo} | ${ours.replace(/\|/g, "\\|").replace(/\n/g, " ")} |`);
}
rows.push(
  "",
  `Expo's web export renders ${renderedByExpo.length} of ${results.length} apps; the preview shows the same first screen for ${same.length} of them (${renderedByExpo.length ? Math.round((same.length / renderedByExpo.length) * 100) : 0} %).`,
);
await writeFile(path.join(work, "table.md"), `${rows.join("\n")}\n`);
console.log(`\n${rows.join("\n")}`);
