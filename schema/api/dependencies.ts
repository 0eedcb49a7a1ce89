// The app's own dependencies (docs/previews.md §4): third-party packages the desktop pre-bundled
// from its node_modules, uploaded as blobs and recorded per project, linked by the preview build.
import { z } from "zod";
import { Sha256 } from "./mirror";

/** The most dependency modules one project records (each is one module of the preview's graph). */
export const MAX_DEPENDENCIES = 500;
/** The most bare specifiers one dependency module may require. */
export const MAX_DEPENDENCY_REQUIRES = 200;

/**
 * An npm package name: `name` or `@scope/name`, at most 214 characters, URL-safe, not starting
 * with `.` or `_` (npm's rules; upper case is accepted for the packages published before it was
 * forbidden).
 */
export const NpmPackageName = z
  .string()
  .max(214)
  .regex(
    /^(?:@[a-z0-9~-][a-z0-9._~-]*\/)?[A-Za-z0-9~-][A-Za-z0-9._~-]*$/,
    "must be an npm package name (name or @scope/name)",
  )
  .meta({ example: "lodash" });

/** A package version as its package.json gives it (semver, with pre-release and build parts). */
export const NpmVersion = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[0-9A-Za-z][0-9A-Za-z.+-]*$/, "must be a package version such as 4.17.21")
  .meta({ example: "4.17.21" });

const NAME = String.raw`(?:@[a-z0-9~-][a-z0-9._~-]*\/)?[A-Za-z0-9~-][A-Za-z0-9._~-]*`;
const SUBPATH_SEGMENT = /^[A-Za-z0-9._~@+$-]+$/;
const SPECIFIER = new RegExp(`^(${NAME})((?:/[^/]+)*)$`);
const MODULE_ID = new RegExp(`^npm:(${NAME})@([0-9A-Za-z][0-9A-Za-z.+-]*)((?:/[^/]+)*)$`);

/** Whether `subpath` (`"debounce"`, `"lib/commonjs/index.js"`, or `""`) is a safe package subpath. */
function subpathOk(subpath: string): boolean {
  if (subpath === "") return true;
  return subpath.split("/").every((s) => SUBPATH_SEGMENT.test(s) && s !== "." && s !== "..");
}

/** A specifier an app or a bundle requires: `name`, `@scope/name`, or either with a `/subpath`. */
export type ParsedSpecifier = { name: string; subpath: string };

/**
 * `"@scope/pkg/sub/path"` → `{ name: "@scope/pkg", subpath: "sub/path" }`; null when it is not a
 * package specifier (relative, absolute, an alias like `@/x`, `node:fs`, an unsafe subpath).
 *
 * @example
 * parseBareSpecifier("lodash/debounce"); // { name: "lodash", subpath: "debounce" }
 */
export function parseBareSpecifier(spec: string): ParsedSpecifier | null {
  if (spec.length > 512) return null;
  const match = SPECIFIER.exec(spec);
  if (!match) return null;
  const name = match[1] as string;
  const subpath = (match[2] as string).slice(1);
  return name.length <= 214 && subpathOk(subpath) ? { name, subpath } : null;
}

/**
 * The module id of a dependency: `npm:<name>@<version>`, and `npm:<name>@<version>/<subpath>` for a
 * deep import (`lodash/debounce`).
 *
 * @example
 * dependencyModuleId("lodash", "4.17.21", "debounce"); // "npm:lodash@4.17.21/debounce"
 */
export function dependencyModuleId(name: string, version: string, subpath = ""): string {
  return `npm:${name}@${version}${subpath ? `/${subpath}` : ""}`;
}

/** A parsed module id, with the specifier it provides (`name` or `name/subpath`). */
export type ParsedModuleId = { name: string; version: string; subpath: string; specifier: string };

/**
 * `"npm:@scope/pkg@1.2.3/sub"` → its parts; null when it is not a dependency module id.
 *
 * @example
 * parseDependencyModuleId("npm:lodash@4.17.21/debounce")?.specifier; // "lodash/debounce"
 */
export function parseDependencyModuleId(id: string): ParsedModuleId | null {
  const match = MODULE_ID.exec(id);
  if (!match) return null;
  const name = match[1] as string;
  const version = match[2] as string;
  const subpath = (match[3] as string).slice(1);
  if (name.length > 214 || version.length > 64 || !subpathOk(subpath)) return null;
  return { name, version, subpath, specifier: subpath ? `${name}/${subpath}` : name };
}

/** A bare specifier (`lodash`, `@scope/pkg/sub`), as a bundle's `require()` names it. */
export const BareSpecifier = z
  .string()
  .min(1)
  .max(512)
  .refine(
    (s) => parseBareSpecifier(s) !== null,
    "must be a package specifier such as lodash or @scope/pkg/sub",
  )
  .meta({ example: "react" });

const moduleIdDescription =
  "`npm:<name>@<version>`, or `npm:<name>@<version>/<subpath>` for a deep import (`lodash/debounce`).";

/** One dependency module as the desktop uploads it. */
export const DependencyItem = z
  .object({
    name: NpmPackageName,
    version: NpmVersion,
    module_id: z.string().max(600).meta({ description: moduleIdDescription, example: "npm:lodash@4.17.21" }),
    sha256: Sha256.meta({ description: "The uploaded blob holding the module's CommonJS body." }),
    size: z.number().int().min(0),
    requires: z.array(BareSpecifier).max(MAX_DEPENDENCY_REQUIRES).meta({
      description:
        "The bare specifiers the module requires (left external: the runtime set, other dependency modules).",
    }),
  })
  .superRefine((item, ctx) => {
    const parsed = parseDependencyModuleId(item.module_id);
    if (!parsed || parsed.name !== item.name || parsed.version !== item.version)
      ctx.addIssue({
        code: "custom",
        path: ["module_id"],
        message: `must be npm:${item.name}@${item.version} or npm:${item.name}@${item.version}/<subpath>`,
      });
  })
  .meta({ id: "DependencyItem" });
export type DependencyItem = z.infer<typeof DependencyItem>;

/** A recorded dependency module: what was uploaded, plus the specifier it provides. */
export const Dependency = z
  .object({
    specifier: z.string().meta({ description: "What an app requires to get it.", example: "lodash" }),
    module_id: z.string().meta({ description: moduleIdDescription, example: "npm:lodash@4.17.21" }),
    name: z.string(),
    version: z.string(),
    sha256: Sha256,
    size: z.number().int(),
    requires: z.array(z.string()),
  })
  .meta({ id: "Dependency" });
export type Dependency = z.infer<typeof Dependency>;

/** `PUT /projects/:id/dependencies`: the whole set (it replaces what was recorded). */
export const PutDependenciesRequest = z
  .object({ items: z.array(DependencyItem).max(MAX_DEPENDENCIES) })
  .superRefine(({ items }, ctx) => {
    const ids = new Set<string>();
    const versions = new Map<string, string>();
    items.forEach((item, i) => {
      if (ids.has(item.module_id))
        ctx.addIssue({ code: "custom", path: ["items", i, "module_id"], message: "is listed twice" });
      ids.add(item.module_id);
      const other = versions.get(item.name);
      if (other !== undefined && other !== item.version)
        ctx.addIssue({
          code: "custom",
          path: ["items", i, "version"],
          message: `${item.name} is listed at ${other} too: a project records one version of a package`,
        });
      versions.set(item.name, item.version);
    });
  })
  .meta({ id: "PutDependenciesRequest" });
export type PutDependenciesRequest = z.infer<typeof PutDependenciesRequest>;

export const DependencyList = z
  .object({ items: z.array(Dependency).meta({ description: "The whole set, sorted by specifier." }) })
  .meta({ id: "DependencyList" });
export type DependencyList = z.infer<typeof DependencyList>;

export const PutDependenciesResponse = z
  .object({
    items: z.array(Dependency),
    changed: z.boolean().meta({ description: "false when the set was already exactly this." }),
  })
  .meta({ id: "PutDependenciesResponse" });
export type PutDependenciesResponse = z.infer<typeof PutDependenciesResponse>;
