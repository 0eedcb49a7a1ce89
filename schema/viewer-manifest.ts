import type { BundleManifest } from "./api/previews";

/** An asset URL the build writes into the manifest (`/m/blob/<sha256>` or `/m/blob/<sha256>.<ext>`). */
const BLOB_URL = /^\/m\/blob\/([0-9a-f]{64})(?:\.[a-z0-9]+)?$/;

/**
 * The paths of the files a preview's app uses (docs/previews.md §1, §5): what a viewer — someone
 * holding the code, not the project's owner — may list and download. They are what the manifest's
 * `app` section records:
 *
 * - every module id of `app.modules` that is a file of the revision (the app's own sources, JSON,
 *   stylesheets and required assets: a module's id is its file's path). Package modules
 *   (`npm:…`), SDK modules (`sdk:…`) and modules the build writes itself are no files;
 * - the files behind the section's other asset URLs (`/m/blob/<sha256>`): the config's
 *   `web.favicon`.
 *
 * Nothing else: a file no module requires (a `config/secrets.js`, a README, `.env.example`, tests)
 * is the owner's alone, and so is every file of a revision that is not a runnable app.
 */
export function viewerFilePaths(manifest: BundleManifest): Set<string> {
  const files = new Map(manifest.files.map((f) => [f.path, f]));
  const used = new Set<string>();
  const app = manifest.app;
  if (!app) return used;
  for (const id of Object.keys(app.modules ?? {})) if (files.has(id)) used.add(id);
  const favicon = BLOB_URL.exec(app.favicon ?? "")?.[1];
  const faviconPath = faviconConfigPath(app.config);
  const faviconFile = faviconPath === undefined ? undefined : files.get(faviconPath);
  if (favicon && faviconFile?.sha256 === favicon) used.add(faviconFile.path);
  return used;
}

/** The manifest a viewer gets: the same, listing only the files the app uses (and their total size). */
export function viewerManifest(manifest: BundleManifest): BundleManifest {
  const used = viewerFilePaths(manifest);
  const files = manifest.files.filter((f) => used.has(f.path));
  return { ...manifest, files, total_bytes: files.reduce((sum, f) => sum + f.size, 0) };
}

/** The path the Expo config's `web.favicon` names, as the build looks it up (`./` dropped). */
function faviconConfigPath(config: Record<string, unknown> | undefined): string | undefined {
  const web = config?.web as { favicon?: unknown } | undefined;
  return typeof web?.favicon === "string" ? web.favicon.replace(/^(\.\/)+/, "") : undefined;
}
