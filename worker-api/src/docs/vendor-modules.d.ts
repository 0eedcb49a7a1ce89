// swagger-ui-dist's browser bundle and stylesheet are imported as text (wrangler.toml [[rules]]
// type = "Text"), so they ship inside the Worker bundle and /docs never touches a CDN.
declare module "swagger-ui-dist/swagger-ui-bundle.js" {
  const text: string;
  export default text;
}
declare module "swagger-ui-dist/swagger-ui.css" {
  const text: string;
  export default text;
}
