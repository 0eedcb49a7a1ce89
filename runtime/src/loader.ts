import type { Registry } from "./registry";
import type { ModuleRecord } from "./types";

const inFlight = new Map<string, Promise<void>>();

/**
 * Loads, by `<script src>`, every module script whose key the registry lacks (each key once, in
 * parallel) and resolves with the keys it fetched. Script elements rather than fetch + eval: they
 * run under `script-src 'self'` with no `unsafe-eval`, and the browser caches the immutable URLs.
 */
export async function loadMissing(registry: Registry, records: ModuleRecord[]): Promise<string[]> {
  const wanted = new Map<string, ModuleRecord>();
  for (const record of records) if (!registry.has(record.key)) wanted.set(record.key, record);
  await Promise.all([...wanted.values()].map((record) => loadOne(registry, record)));
  return [...wanted.keys()];
}

function loadOne(registry: Registry, record: ModuleRecord): Promise<void> {
  let pending = inFlight.get(record.key);
  if (!pending) {
    pending = new Promise<void>((resolve, reject) => {
      const script = document.createElement("script");
      script.src = record.url;
      script.async = true;
      script.onload = () => {
        script.remove();
        // A script that loads but never registers had a syntax error (reported by the page's
        // error listener with its line) or is not a module script.
        if (registry.has(record.key)) resolve();
        else reject(new Error(`${record.url} ran but did not register module ${record.key}`));
      };
      script.onerror = () => {
        script.remove();
        reject(new Error(`Could not load ${record.url}`));
      };
      document.head.appendChild(script);
    }).finally(() => inFlight.delete(record.key));
    inFlight.set(record.key, pending);
  }
  return pending;
}

const chunksLoaded = new Set<string>();
const chunksInFlight = new Map<string, Promise<void>>();

/**
 * Loads the SDK chunks (`/runtime/c/<hash>.js`, each calling `__hs.c`) the page has not run yet,
 * in parallel, and resolves with the URLs it fetched. A chunk URL is its content: once run, it is
 * never needed again.
 */
export async function loadChunks(urls: readonly string[]): Promise<string[]> {
  const wanted = urls.filter((url) => !chunksLoaded.has(url));
  await Promise.all(
    wanted.map((url) => {
      let pending = chunksInFlight.get(url);
      if (!pending) {
        pending = new Promise<void>((resolve, reject) => {
          const script = document.createElement("script");
          script.src = url;
          script.async = true;
          script.onload = () => {
            script.remove();
            chunksLoaded.add(url);
            resolve();
          };
          script.onerror = () => {
            script.remove();
            reject(new Error(`Could not load ${url}`));
          };
          document.head.appendChild(script);
        }).finally(() => chunksInFlight.delete(url));
        chunksInFlight.set(url, pending);
      }
      return pending;
    }),
  );
  return wanted;
}
