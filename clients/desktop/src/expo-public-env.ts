import { lstat, readFile } from "node:fs/promises";
import path from "node:path";
import { parse } from "dotenv";
import { writeGeneratedFile } from "./generated-file";
import type { LocalFile } from "./walk";

/**
 * The environment files Expo CLI loads in development, highest precedence first (`@expo/env`:
 * `.env.development.local`, `.env.local`, `.env.development`, `.env`): a key's first definition wins.
 */
export const EXPO_ENV_FILES = [".env.development.local", ".env.local", ".env.development", ".env"] as const;

/** The prefix of the variables Expo inlines into app code: the only ones a client bundle may see. */
export const EXPO_PUBLIC_PREFIX = "EXPO_PUBLIC_";

/**
 * Where the public part of the environment is mirrored: a file of `KEY=value` lines the preview
 * build reads with the pushed `.env` files (docs/previews.md "Environment variables").
 */
export const EXPO_PUBLIC_ENV_PATH = ".env.expo-public";

/**
 * The `EXPO_PUBLIC_*` variables of the app in `dir`, from its Expo environment files in Expo's
 * precedence. Those files are withheld from a push by default (they usually hold secrets too), but
 * Expo puts every `EXPO_PUBLIC_` value into the app's own bundle, so those alone may leave the machine.
 *
 * @example
 * await readExpoPublicEnv("/home/ada/app"); // { EXPO_PUBLIC_API_URL: "https://api.example.com" }
 */
export async function readExpoPublicEnv(dir: string): Promise<Record<string, string>> {
  const values: Record<string, string> = {};
  for (const name of EXPO_ENV_FILES) {
    const text = await readFile(path.join(dir, name), "utf8").catch(() => null);
    if (text === null) continue;
    for (const [key, value] of Object.entries(parse(text))) {
      if (key.startsWith(EXPO_PUBLIC_PREFIX) && !(key in values)) values[key] = value;
    }
  }
  return values;
}

/** One `KEY=value` line per variable, sorted; values quoted so dotenv reads every character back. */
function envText(values: Record<string, string>): string {
  // dotenv reads a quoted value verbatim up to its closing quote (double quotes also expand `\n`).
  const quote = (value: string) =>
    !value.includes("'") ? `'${value}'` : !value.includes("`") ? `\`${value}\`` : `"${value}"`;
  return Object.keys(values)
    .sort()
    .map((key) => `${key}=${quote(values[key] as string)}\n`)
    .join("");
}

/**
 * The file that mirrors the app's public environment ({@link EXPO_PUBLIC_ENV_PATH}), written under
 * `.hivesync/` (rewritten only when its text changes, so the hash cache keeps it) and listed as a
 * file of the folder; `null` when the app has no `EXPO_PUBLIC_` variable or has a file of that name
 * itself.
 *
 * @example
 * const publicEnv = await expoPublicEnvFile("/home/ada/app");
 * if (publicEnv) files.push(publicEnv);
 */
export async function expoPublicEnvFile(dir: string): Promise<LocalFile | null> {
  if (await lstat(path.join(dir, EXPO_PUBLIC_ENV_PATH)).catch(() => null)) return null;
  const values = await readExpoPublicEnv(dir);
  if (Object.keys(values).length === 0) return null;
  return writeGeneratedFile(EXPO_PUBLIC_ENV_PATH, mirroredPath(dir), envText(values));
}

/** Where {@link expoPublicEnvFile} keeps the text it mirrors. */
function mirroredPath(dir: string): string {
  return path.join(dir, ".hivesync", "expo-public.env");
}

/**
 * Whether the public environment differs from what the last sync mirrored: an edit of `.env` that
 * touches only secrets changes nothing a sync would send, so a watch does not push for it.
 *
 * @example
 * if (await expoPublicEnvChanged("/home/ada/app")) await syncFolder(client, projectId, "/home/ada/app");
 */
export async function expoPublicEnvChanged(dir: string): Promise<boolean> {
  const values = await readExpoPublicEnv(dir);
  const now = Object.keys(values).length === 0 ? "" : envText(values);
  const mirrored = (await readFile(mirroredPath(dir), "utf8").catch(() => null)) ?? "";
  return now !== mirrored;
}
