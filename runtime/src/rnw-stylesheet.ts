// react-native-web keeps its styles in a <style id="react-native-stylesheet"> it creates, which a
// strict `style-src` blocks: StyleSheet.create would then style nothing. It first looks for an
// existing element with that id (meant for server rendering) and uses its `.sheet`, so the runtime
// puts one there whose sheet is a constructed stylesheet adopted by the document: CSSOM, which the
// CSP allows. Must run before react-native-web's StyleSheet module initialises (runtime-set.ts
// imports this first).
const ID = "react-native-stylesheet";

if (
  typeof CSSStyleSheet === "function" &&
  "adoptedStyleSheets" in Document.prototype &&
  !document.getElementById(ID)
) {
  try {
    const sheet = new CSSStyleSheet();
    const holder = document.createElement("meta");
    holder.id = ID;
    Object.defineProperty(holder, "sheet", { value: sheet });
    document.head.appendChild(holder);
    // First, so the app's own styles (and the page's) come after the reset rules it holds.
    document.adoptedStyleSheets = [sheet, ...document.adoptedStyleSheets];
  } catch {
    // A browser without constructable stylesheets: react-native-web makes its own <style>.
  }
}
