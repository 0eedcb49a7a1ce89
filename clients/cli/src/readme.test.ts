// The README's CLI sections against the code (item 16): the ignore rules it lists are the ones the
// walker applies, and every `hivesync` line it shows names a real command with flags it takes.
// (The curl walk-through itself runs against the local stack in clients/e2e/cli.e2e.test.ts.)
import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_IGNORE_PATTERNS, SECRET_IGNORE_PATTERNS } from "../../desktop/src";
import { helpText } from "./main";

const README = path.resolve(import.meta.dirname, "../../../README.md");
const section = (text: string, heading: string) => {
  const start = text.indexOf(heading);
  expect(start, heading).toBeGreaterThanOrEqual(0);
  const next = text.slice(start + heading.length).search(/\n#{2,4} /);
  return text.slice(start, next < 0 ? undefined : start + heading.length + next);
};

describe("README", () => {
  it("lists every ignore rule the walker applies by default", async () => {
    const rules = section(await readFile(README, "utf8"), "#### What `push` sends: the ignore rules");
    for (const pattern of DEFAULT_IGNORE_PATTERNS) expect(rules).toContain(`\`${pattern}\``);
    for (const pattern of SECRET_IGNORE_PATTERNS) expect(rules).toContain(`\`${pattern.replace(/^!/, "")}\``);
    expect(rules).toContain("`.hivesyncignore`");
    expect(rules).toContain("MAX_FILE_BYTES");
  });

  it("shows only hivesync commands and flags that exist", async () => {
    const text = await readFile(README, "utf8");
    const lines = [...text.matchAll(/(?:^|npx |&& |`)hivesync ([a-z]+)([^`#\n]*)/gm)];
    expect(lines.length).toBeGreaterThanOrEqual(10);
    for (const [whole, command, rest = ""] of lines) {
      if (command === "help") continue;
      const help = helpText(command);
      expect(help, whole).toContain(`Usage: hivesync ${command}`);
      for (const flag of rest.match(/--[a-z]+/g) ?? []) expect(help, whole).toContain(flag);
    }
  });

  it("says how to run hivesync from an app folder outside the repository", async () => {
    const text = section(
      await readFile(README, "utf8"),
      "#### Running `hivesync` from your own app's folder",
    );
    expect(text).toContain("npm link");
    expect(text).toMatch(/cd [^\n]+ && hivesync preview/);
  });

  it("has a curl walk-through that signs ana in, and registers her only when she does not exist", async () => {
    const curl = section(await readFile(README, "utf8"), "## A walk-through with curl");
    const login = curl.indexOf("$API/auth/login");
    const register = curl.indexOf("$API/auth/register");
    expect(login).toBeGreaterThan(0);
    expect(register).toBeGreaterThan(login);
    expect(curl).toContain('[ -n "$TOKEN" ] || TOKEN=');
  });
});
