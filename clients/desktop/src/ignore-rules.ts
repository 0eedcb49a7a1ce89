import { readFile } from "node:fs/promises";
import path from "node:path";
import ignore, { type Ignore } from "ignore";

/**
 * Directory names never synced, at any depth, whatever the ignore files say: git's own data (the
 * server refuses `.git/` paths anyway, in any letter case) and HiveSync's per-folder state.
 */
export const ALWAYS_IGNORED_DIRECTORIES = [".git", ".hivesync"] as const;

/**
 * Ignored by default, at any depth: dependencies and build outputs. These are ordinary gitignore
 * patterns of the lowest precedence, so a project can bring one back with `!dist/` in
 * `.hivesyncignore`.
 */
export const DEFAULT_IGNORE_PATTERNS = [
  "node_modules/",
  "dist/",
  "build/",
  ".expo/",
  ".next/",
  "coverage/",
] as const;

/**
 * Ignored by default because they usually hold secrets: environment files (`.env`, `.env.*`, but
 * not `.env.example`) and key or keystore files. Same precedence as
 * {@link DEFAULT_IGNORE_PATTERNS}, so `!.env` in `.hivesyncignore` pushes one anyway; a walk
 * reports every file these patterns (and nothing else) left out, so leaving one out is never silent.
 */
export const SECRET_IGNORE_PATTERNS = [
  ".env",
  ".env.*",
  "!.env.example",
  "!.env.sample",
  "!.env.template",
  "*.pem",
  "*.key",
  "*.p12",
  "*.jks",
  "*.keystore",
] as const;

/** The ignore files read in every directory, lowest precedence first. */
export const IGNORE_FILE_NAMES = [".gitignore", ".hivesyncignore"] as const;

type Scope = { dir: string; matcher: Ignore };

/**
 * Gitignore rules for a folder tree, with git's semantics: `.gitignore` and `.hivesyncignore` in
 * every directory (patterns relative to that directory, anchored with a leading `/`, directory-only
 * with a trailing `/`, `!` to re-include), deeper files overriding shallower ones, and
 * `.hivesyncignore` overriding `.gitignore` in the same directory. Matching itself is the `ignore`
 * package's (the matcher eslint and others use).
 *
 * A file inside an ignored directory stays ignored even if a pattern re-includes it, as in git:
 * the walker never enters ignored directories.
 *
 * @example
 * let rules = IgnoreRules.create();
 * rules = await rules.loadDirectory(root, ""); // reads root/.gitignore and root/.hivesyncignore
 * rules.ignores("node_modules", true); // true
 * rules.ignores("src/App.tsx", false); // false
 */
export class IgnoreRules {
  readonly #scopes: readonly Scope[];
  /** The same rules without {@link SECRET_IGNORE_PATTERNS}, to tell what those alone left out. */
  readonly #withoutSecrets: IgnoreRules | null;

  private constructor(scopes: readonly Scope[], withoutSecrets: IgnoreRules | null) {
    this.#scopes = scopes;
    this.#withoutSecrets = withoutSecrets;
  }

  /**
   * Rules with only the built-in ignores (plus `extraPatterns`, applied at the root).
   *
   * @example
   * const rules = IgnoreRules.create(["*.log"]);
   */
  static create(extraPatterns: readonly string[] = []): IgnoreRules {
    const base = addTexts(ignore().add([...DEFAULT_IGNORE_PATTERNS]), extraPatterns);
    const matcher = addTexts(
      ignore().add([...DEFAULT_IGNORE_PATTERNS, ...SECRET_IGNORE_PATTERNS]),
      extraPatterns,
    );
    return new IgnoreRules([{ dir: "", matcher }], new IgnoreRules([{ dir: "", matcher: base }], null));
  }

  /**
   * These rules plus the patterns of directory `dir` (posix, relative to the root; "" for the
   * root), given as the texts of its ignore files in precedence order.
   *
   * @example
   * const nested = rules.withDirectory("packages/app", ["*.tmp\n", "!keep.tmp\n"]);
   */
  withDirectory(dir: string, contents: readonly string[]): IgnoreRules {
    const patterns = contents.filter((text) => text.trim() !== "");
    if (patterns.length === 0) return this;
    const withoutSecrets = this.#withoutSecrets?.withDirectory(dir, contents) ?? null;
    if (dir === "") {
      // The root's files go on top of the built-ins in one matcher, so `!dist/` can undo `dist/`.
      const [root, ...rest] = this.#scopes;
      const matcher = addTexts(ignore().add(root?.matcher ?? []), patterns);
      return new IgnoreRules([{ dir: "", matcher }, ...rest], withoutSecrets);
    }
    return new IgnoreRules([...this.#scopes, { dir, matcher: addTexts(ignore(), patterns) }], withoutSecrets);
  }

  /**
   * Reads `.gitignore` and `.hivesyncignore` of directory `dir` under `root` (missing files are
   * fine) and returns the rules that apply inside it. With `names` (the directory's listing), only
   * the ignore files it contains are opened, so a folder without any costs no I/O.
   *
   * @example
   * const inner = await rules.loadDirectory("/home/ada/app", "src");
   */
  async loadDirectory(root: string, dir: string, names?: ReadonlySet<string>): Promise<IgnoreRules> {
    if (names && !IGNORE_FILE_NAMES.some((name) => names.has(name))) return this;
    const contents = await Promise.all(
      IGNORE_FILE_NAMES.map((name) =>
        names && !names.has(name) ? "" : readFile(path.join(root, dir, name), "utf8").catch(() => ""),
      ),
    );
    return this.withDirectory(dir, contents);
  }

  /**
   * Whether the entry at `relPath` (posix, relative to the root) is ignored. The deepest ignore
   * file with an opinion about it decides.
   *
   * @example
   * rules.ignores("build", true); // true: a build output directory
   * rules.ignores(".env", false); // whatever the project's .gitignore says
   */
  ignores(relPath: string, isDirectory: boolean): boolean {
    const segments = relPath.split("/");
    if (segments.some((s) => s.toLowerCase() === ".git" || s === ".hivesync")) return true;
    for (let i = this.#scopes.length - 1; i >= 0; i--) {
      const scope = this.#scopes[i] as Scope;
      const prefix = scope.dir === "" ? "" : `${scope.dir}/`;
      if (!relPath.startsWith(prefix) || relPath === scope.dir) continue;
      const sub = relPath.slice(prefix.length);
      const verdict = scope.matcher.test(isDirectory ? `${sub}/` : sub);
      if (verdict.ignored) return true;
      if (verdict.unignored) return false;
    }
    return false;
  }

  /**
   * Whether the entry at `relPath` is ignored only because it looks like a secret
   * ({@link SECRET_IGNORE_PATTERNS}): without those patterns the project's rules would sync it.
   * A walk reports such files, with how to include them.
   *
   * @example
   * IgnoreRules.create().leftOutAsSecret(".env", false); // true
   * IgnoreRules.create().withDirectory("", [".env\n"]).leftOutAsSecret(".env", false); // false: the project ignores it itself
   */
  leftOutAsSecret(relPath: string, isDirectory: boolean): boolean {
    if (!this.#withoutSecrets || !this.ignores(relPath, isDirectory)) return false;
    return !this.#withoutSecrets.ignores(relPath, isDirectory);
  }
}

// `ignore` splits a string into lines but takes each element of an array as one pattern, so whole
// file texts must be added one by one.
function addTexts(matcher: Ignore, texts: readonly string[]): Ignore {
  for (const text of texts) matcher.add(text);
  return matcher;
}
