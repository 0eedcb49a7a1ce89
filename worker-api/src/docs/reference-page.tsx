import type { FC } from "hono/jsx";

type Operation = { method: string; path: string; summary?: string; tags?: string[]; secured: boolean };

const METHODS = ["get", "post", "put", "patch", "delete"] as const;

type OpenApiDocument = {
  info: { title: string; version: string; description?: string };
  paths?: Record<
    string,
    Partial<Record<(typeof METHODS)[number], { summary?: string; tags?: string[]; security?: unknown[] }>>
  >;
};

/** Flattens an OpenAPI document into the operations the page lists, grouped by their first tag. */
export function operationsByTag(doc: OpenApiDocument): Map<string, Operation[]> {
  const groups = new Map<string, Operation[]>();
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const tag = op.tags?.[0] ?? "Other";
      const list = groups.get(tag) ?? [];
      list.push({
        method: method.toUpperCase(),
        path,
        summary: op.summary,
        tags: op.tags,
        secured: !!op.security?.length,
      });
      groups.set(tag, list);
    }
  }
  return groups;
}

const STYLE = `
body{font:15px/1.5 system-ui,sans-serif;max-width:960px;margin:2rem auto;padding:0 1rem;color:#1b1f24}
h1{margin-bottom:.2rem} .muted{color:#59636e} code{font:13px ui-monospace,monospace}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem} td{padding:.35rem .5rem;border-top:1px solid #d1d9e0;vertical-align:top}
.m{font:600 12px ui-monospace,monospace;padding:.1rem .4rem;border-radius:4px;background:#eef1f4}
.GET{color:#0969da}.POST{color:#1a7f37}.PATCH,.PUT{color:#9a6700}.DELETE{color:#cf222e}`;

/** A self-contained API reference (no external assets) rendered from the generated OpenAPI document. */
export const ReferencePage: FC<{ doc: OpenApiDocument; specUrl: string }> = ({ doc, specUrl }) => (
  <html lang="en">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <title>{doc.info.title} — API reference</title>
      <style>{STYLE}</style>
    </head>
    <body>
      <h1>{doc.info.title}</h1>
      <p class="muted">
        Version {doc.info.version}. Machine-readable: <a href={specUrl}>{specUrl}</a> (OpenAPI 3.1).
        Authenticated routes (🔒) take <code>Authorization: Bearer &lt;access token&gt;</code>.
      </p>
      {doc.info.description ? <p>{doc.info.description}</p> : null}
      {[...operationsByTag(doc)].map(([tag, ops]) => (
        <section>
          <h2>{tag}</h2>
          <table>
            {ops.map((op) => (
              <tr>
                <td>
                  <span class={`m ${op.method}`}>{op.method}</span>
                </td>
                <td>
                  <code>{op.path}</code>
                  {op.secured ? " 🔒" : ""}
                </td>
                <td>{op.summary}</td>
              </tr>
            ))}
          </table>
        </section>
      ))}
    </body>
  </html>
);
