import type { FC } from "hono/jsx";

/**
 * The HTML shell of /docs: Swagger UI renders the OpenAPI document fetched from `specUrl`. Every
 * asset comes from `assetsBase` on this origin; nothing inline, so the CSP needs no nonces.
 */
export const ReferencePage: FC<{ assetsBase: string; specUrl: string }> = ({ assetsBase, specUrl }) => (
  <html lang="en">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <title>HiveSync API reference</title>
      <link rel="icon" type="image/svg+xml" href={`${assetsBase}/favicon.svg`} />
      <link rel="stylesheet" href={`${assetsBase}/swagger-ui.css`} />
      <link rel="stylesheet" href={`${assetsBase}/docs.css`} />
    </head>
    <body>
      <noscript>
        <p class="hs-noscript">
          The interactive reference needs JavaScript. The OpenAPI 3.1 document itself is at{" "}
          <a href={specUrl}>{specUrl}</a>.
        </p>
      </noscript>
      <div id="swagger-ui" data-spec-url={specUrl} />
      <script src={`${assetsBase}/swagger-ui-bundle.js`} />
      <script src={`${assetsBase}/docs.js`} />
    </body>
  </html>
);
