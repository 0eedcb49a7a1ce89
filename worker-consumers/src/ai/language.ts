import { baseName } from "./text";

/** Which analyser reads the file: the first four understand structure, "text" only lines and comments. */
export type Family = "script" | "python" | "json" | "markdown" | "text";

/** What the documenter needs to know about a file's language. */
export type Language = {
  /** Human name used in summaries ("TypeScript", "Python"). */
  name: string;
  family: Family;
  /** TSX/JSX: capitalised functions are described as components. */
  jsx: boolean;
  /** TypeScript declaration file (.d.ts): describes types, has no runtime code. */
  declaration: boolean;
  /** Comment syntax for the line counter of the generic analyser. */
  lineComments: readonly string[];
  blockComment?: readonly [string, string];
};

const C_LIKE = { lineComments: ["//"], blockComment: ["/*", "*/"] as const };
const HASH = { lineComments: ["#"] };

// Generic text files: a name and comment syntax are enough for honest line counts and TODOs.
const TEXT_LANGUAGES: Record<
  string,
  { name: string; lineComments: readonly string[]; blockComment?: readonly [string, string] }
> = {
  css: { name: "CSS", lineComments: [], blockComment: ["/*", "*/"] },
  scss: { name: "SCSS", ...C_LIKE },
  less: { name: "Less", ...C_LIKE },
  html: { name: "HTML", lineComments: [], blockComment: ["<!--", "-->"] },
  htm: { name: "HTML", lineComments: [], blockComment: ["<!--", "-->"] },
  xml: { name: "XML", lineComments: [], blockComment: ["<!--", "-->"] },
  svg: { name: "SVG", lineComments: [], blockComment: ["<!--", "-->"] },
  vue: { name: "Vue", lineComments: [], blockComment: ["<!--", "-->"] },
  svelte: { name: "Svelte", lineComments: [], blockComment: ["<!--", "-->"] },
  yaml: { name: "YAML", ...HASH },
  yml: { name: "YAML", ...HASH },
  toml: { name: "TOML", ...HASH },
  ini: { name: "INI", lineComments: [";", "#"] },
  sh: { name: "Shell", ...HASH },
  bash: { name: "Shell", ...HASH },
  zsh: { name: "Shell", ...HASH },
  rb: { name: "Ruby", ...HASH },
  pl: { name: "Perl", ...HASH },
  r: { name: "R", ...HASH },
  go: { name: "Go", ...C_LIKE },
  rs: { name: "Rust", ...C_LIKE },
  java: { name: "Java", ...C_LIKE },
  kt: { name: "Kotlin", ...C_LIKE },
  kts: { name: "Kotlin", ...C_LIKE },
  swift: { name: "Swift", ...C_LIKE },
  c: { name: "C", ...C_LIKE },
  h: { name: "C", ...C_LIKE },
  cc: { name: "C++", ...C_LIKE },
  cpp: { name: "C++", ...C_LIKE },
  hpp: { name: "C++", ...C_LIKE },
  cs: { name: "C#", ...C_LIKE },
  m: { name: "Objective-C", ...C_LIKE },
  mm: { name: "Objective-C", ...C_LIKE },
  dart: { name: "Dart", ...C_LIKE },
  scala: { name: "Scala", ...C_LIKE },
  php: { name: "PHP", lineComments: ["//", "#"], blockComment: ["/*", "*/"] },
  sql: { name: "SQL", lineComments: ["--"], blockComment: ["/*", "*/"] },
  lua: { name: "Lua", lineComments: ["--"] },
  graphql: { name: "GraphQL", ...HASH },
  txt: { name: "plain text", lineComments: [] },
};

const TEXT_FILE_NAMES: Record<string, string> = {
  dockerfile: "Dockerfile",
  makefile: "Makefile",
  ".gitignore": "gitignore",
  ".env": "dotenv",
  ".npmrc": "npmrc",
};

/** The file's language, from its extension (or a few well-known file names); unknown → plain text. */
export function detectLanguage(path: string): Language {
  const name = baseName(path);
  const lower = name.toLowerCase();
  const dot = lower.lastIndexOf(".");
  const ext = dot > 0 ? lower.slice(dot + 1) : "";
  const base = { jsx: false, declaration: false, ...C_LIKE };
  switch (ext) {
    case "ts":
    case "mts":
    case "cts":
      return { ...base, name: "TypeScript", family: "script", declaration: /\.d\.[mc]?ts$/.test(lower) };
    case "tsx":
      return { ...base, name: "TypeScript (TSX)", family: "script", jsx: true };
    case "js":
    case "mjs":
    case "cjs":
      return { ...base, name: "JavaScript", family: "script" };
    case "jsx":
      return { ...base, name: "JavaScript (JSX)", family: "script", jsx: true };
    case "py":
    case "pyi":
      return { ...base, name: "Python", family: "python", ...HASH, blockComment: undefined };
    case "json":
    case "jsonc":
    case "json5":
      return { ...base, name: "JSON", family: "json" };
    case "md":
    case "markdown":
    case "mdx":
      return {
        ...base,
        name: "Markdown",
        family: "markdown",
        lineComments: [],
        blockComment: ["<!--", "-->"],
      };
  }
  const known = TEXT_LANGUAGES[ext];
  if (known) return { ...base, ...known, blockComment: known.blockComment, family: "text" };
  const special = TEXT_FILE_NAMES[lower] ?? (lower.startsWith(".env") ? "dotenv" : undefined);
  if (special)
    return { ...base, name: special, family: "text", lineComments: ["#"], blockComment: undefined };
  return { ...base, name: "plain text", family: "text", lineComments: [], blockComment: undefined };
}
