// The React Compiler in a phone's browser (issue 18): examples/react-compiler-tour enables it in
// app.json; with its Babel and compiler plugin installed from the registry (the rest is the
// preview runtime's), the desktop compiles its files as Expo's Babel preset would, and the page
// memoizes as the app on a phone does. The same app without the flag renders as it is written.
import { readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { HiveSyncClient, startPreview, syncFolder, watchPreview } from "../desktop/src";
import { exampleWithPackages } from "./examples";
import { appOf, phonePage } from "./phone";

let dir = "";
let browser: Browser | undefined;
let desktop: HiveSyncClient;

beforeAll(async () => {
  // Only what the desktop needs: the app's Babel and its compiler plugin.
  dir = await exampleWithPackages("react-compiler-tour", ["@babel/core@7", "babel-plugin-react-compiler@1"]);
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
  desktop = new HiveSyncClient({ baseUrl: inject("apiUrl") });
  const name = `rc${Date.now().toString(36)}`;
  await desktop.auth.register({
    email: `${name}@example.com`,
    username: name,
    password: "a long enough password",
  });
}, 300_000);
afterAll(async () => {
  await browser?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Pushes the folder as a new project, opens its preview, taps three times: what Child says. */
async function childAfterThreeTaps(project: string): Promise<string> {
  const { id } = await desktop.projects.create({ name: project, framework: "expo" });
  const synced = await syncFolder(desktop, id, dir);
  expect(synced.excluded).toEqual([]);
  const started = await startPreview(desktop, id, { platform: "ios" });
  expect(await watchPreview(desktop, started.session_id, { until: "ready" })).toMatchObject({
    status: "ready",
  });
  const { context, page, problems } = await phonePage(browser!);
  await page.goto(started.link_url);
  await appOf(page).getByText("Tapped 0 time(s)").waitFor({ state: "visible", timeout: 30_000 });
  for (let i = 1; i <= 3; i++) {
    await appOf(page)
      .getByText(`Tapped ${i - 1} time(s)`)
      .click();
    await appOf(page).getByText(`Tapped ${i} time(s)`).waitFor({ state: "visible" });
  }
  const child = (await appOf(page).getByTestId("child").textContent()) ?? "";
  expect(problems).toEqual([]);
  await context.close();
  return child;
}

describe("the React Compiler (examples/react-compiler-tour)", () => {
  it("memoizes as on a phone when app.json enables it: a tap does not render Child again", async () => {
    expect(await childAfterThreeTaps("react-compiler-on")).toBe("Child rendered 1 time(s)");
  });

  it("leaves the app as written without the flag: every tap renders Child", async () => {
    const appJson = path.join(dir, "app.json");
    await writeFile(
      appJson,
      (await readFile(appJson, "utf8")).replace('"reactCompiler": true', '"reactCompiler": false'),
    );
    expect(await childAfterThreeTaps("react-compiler-off")).toBe("Child rendered 4 time(s)");
  });
});
