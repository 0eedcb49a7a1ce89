const BY_EXTENSION: Record<string, string> = {
  ts: "TypeScript",
  tsx: "TypeScript",
  mts: "TypeScript",
  cts: "TypeScript",
  js: "JavaScript",
  jsx: "JavaScript",
  mjs: "JavaScript",
  cjs: "JavaScript",
  json: "JSON",
  md: "Markdown",
  mdx: "Markdown",
  py: "Python",
  css: "CSS",
  scss: "CSS",
  html: "HTML",
  htm: "HTML",
  svg: "SVG",
  png: "Image",
  jpg: "Image",
  jpeg: "Image",
  gif: "Image",
  webp: "Image",
  yaml: "YAML",
  yml: "YAML",
  swift: "Swift",
  kt: "Kotlin",
  java: "Java",
  m: "Objective-C",
  mm: "Objective-C",
  rb: "Ruby",
  go: "Go",
  rs: "Rust",
  sh: "Shell",
};

/** The language a file is counted under in mirror statistics, from its extension. */
export function languageOf(path: string): string {
  const name = path.slice(path.lastIndexOf("/") + 1);
  const dot = name.lastIndexOf(".");
  if (dot <= 0) return "Other";
  return BY_EXTENSION[name.slice(dot + 1).toLowerCase()] ?? "Other";
}
