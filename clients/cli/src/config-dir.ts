import { homedir } from "node:os";
import path from "node:path";

/**
 * Where the CLI keeps credentials and its blob cache: `$XDG_CONFIG_HOME/hivesync`, else
 * `~/.config/hivesync`.
 *
 * @example
 * configDir({ XDG_CONFIG_HOME: "/tmp/cfg" }) // → "/tmp/cfg/hivesync"
 */
export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME?.trim() || path.join(homedir(), ".config");
  return path.join(base, "hivesync");
}
