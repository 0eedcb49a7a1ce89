// The EXPO_PUBLIC_ values of a withheld .env reach the preview; nothing else of it leaves the machine.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { parse } from "dotenv";
import { afterEach, describe, expect, it } from "vitest";
import { EXPO_PUBLIC_ENV_PATH, expoPublicEnvFile, readExpoPublicEnv } from "./expo-public-env";

let dir: string;
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});
const app = async (files: Record<string, string>) => {
  dir = await mkdtemp(path.join(tmpdir(), "hs-env-"));
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
  return dir;
};

describe("the public part of an Expo app's environment", () => {
  it("takes only EXPO_PUBLIC_ values, in Expo's precedence", async () => {
    await app({
      ".env": "EXPO_PUBLIC_API_URL=https://api.example.com\nSTRIPE_SECRET=sk_live_1\nEXPO_PUBLIC_WHO=env\n",
      ".env.local": "EXPO_PUBLIC_WHO=local\nDATABASE_URL=postgres://secret\n",
    });
    expect(await readExpoPublicEnv(dir)).toEqual({
      EXPO_PUBLIC_API_URL: "https://api.example.com",
      EXPO_PUBLIC_WHO: "local",
    });
  });

  it("mirrors them as a file whose text dotenv reads back exactly, and no secret", async () => {
    const tricky = 'it\'s a `quoted` "value" # not a comment';
    await app({
      ".env": `EXPO_PUBLIC_B='b'\nEXPO_PUBLIC_A="${tricky.replace(/"/g, '\\"')}"\nSECRET=s3cr3t\n`,
    });
    const file = await expoPublicEnvFile(dir);
    expect(file).toMatchObject({
      path: EXPO_PUBLIC_ENV_PATH,
      absolutePath: path.join(dir, ".hivesync/expo-public.env"),
    });
    const text = await readFile(file!.absolutePath, "utf8");
    expect(text).not.toContain("s3cr3t");
    expect(parse(text)).toEqual({
      EXPO_PUBLIC_A: (await readExpoPublicEnv(dir)).EXPO_PUBLIC_A,
      EXPO_PUBLIC_B: "b",
    });
    expect(file!.size).toBe(Buffer.byteLength(text));
  });

  it("is rewritten only when the values change, so the hash cache keeps it", async () => {
    await app({ ".env": "EXPO_PUBLIC_A=1\n" });
    const first = await expoPublicEnvFile(dir);
    const again = await expoPublicEnvFile(dir);
    expect(again?.mtimeMs).toBe(first?.mtimeMs);
    await writeFile(path.join(dir, ".env"), "EXPO_PUBLIC_A=2\n");
    const changed = await expoPublicEnvFile(dir);
    expect(await readFile(changed!.absolutePath, "utf8")).toBe("EXPO_PUBLIC_A='2'\n");
  });

  it("is no file when there is no public value, or when the app has a file of that name", async () => {
    await app({ ".env": "SECRET=1\n" });
    expect(await expoPublicEnvFile(dir)).toBeNull();
    await writeFile(path.join(dir, ".env"), "EXPO_PUBLIC_A=1\n");
    await writeFile(path.join(dir, EXPO_PUBLIC_ENV_PATH), "EXPO_PUBLIC_A=mine\n");
    expect(await expoPublicEnvFile(dir)).toBeNull();
  });
});
