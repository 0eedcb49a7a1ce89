// Packages add styles the way a page without a CSP can: a <style> element with text (expo-font's
// @font-face rules, reanimated's keyframes). The preview page's `style-src 'self'` refuses any
// <style> in the document — empty or not, whatever its type — so the text is dropped, fonts never
// load and an app can wait on its splash screen forever. So a <style> element is never put in the
// document: inserting one keeps it aside instead, its `sheet` is a constructed stylesheet adopted
// by the document (CSSOM, which the CSP allows) holding its text as that changes, and
// getElementById, removal and `remove()` see it as if it were where the package put it.

interface Bridge {
  sheet: CSSStyleSheet;
  text: string | null;
  /** Where the package put it (its parentNode as the package sees it), or null once removed. */
  parent: Node | null;
}

const bridges = new Map<HTMLStyleElement, Bridge>();

/** Keeps the element's text in its sheet, and the sheet adopted while the element is "inserted". */
function sync(element: HTMLStyleElement): void {
  const bridge = bridges.get(element);
  if (!bridge) return;
  const text = element.textContent ?? "";
  // Rules a package inserted through `sheet.insertRule` are kept until it writes text itself.
  if (text !== bridge.text && (text !== "" || bridge.text !== null)) {
    bridge.text = text;
    try {
      bridge.sheet.replaceSync(text);
    } catch {
      // A sheet the browser cannot parse styles nothing, as the <style> would have.
    }
  }
  const sheets = [...document.adoptedStyleSheets];
  const present = sheets.includes(bridge.sheet);
  if (bridge.parent && !present) document.adoptedStyleSheets = [...sheets, bridge.sheet];
  else if (!bridge.parent && present) document.adoptedStyleSheets = sheets.filter((s) => s !== bridge.sheet);
}

/** Records `element` as inserted under `parent` without putting it in the document. */
function insertAside(element: HTMLStyleElement, parent: Node): void {
  let bridge = bridges.get(element);
  if (!bridge) {
    const sheet = new CSSStyleSheet();
    bridge = { sheet, text: null, parent };
    bridges.set(element, bridge);
    Object.defineProperty(element, "sheet", { configurable: true, get: () => sheet });
    Object.defineProperty(element, "parentNode", {
      configurable: true,
      get: () => bridges.get(element)?.parent ?? null,
    });
    new MutationObserver(() => sync(element)).observe(element, {
      childList: true,
      characterData: true,
      subtree: true,
    });
  }
  bridge.parent = parent;
  sync(element);
}

function removeAside(element: HTMLStyleElement): boolean {
  const bridge = bridges.get(element);
  if (!bridge?.parent) return false;
  bridge.parent = null;
  sync(element);
  return true;
}

function install(): void {
  if (typeof CSSStyleSheet !== "function" || !("adoptedStyleSheets" in Document.prototype)) return;
  const proto = Node.prototype;
  const { appendChild, insertBefore, removeChild } = proto;
  const inDocument = (parent: Node) => parent.isConnected || bridges.has(parent as HTMLStyleElement);
  proto.appendChild = function <T extends Node>(this: Node, node: T): T {
    if (node instanceof HTMLStyleElement && inDocument(this)) {
      insertAside(node, this);
      return node;
    }
    const result = appendChild.call(this, node) as T;
    // Text appended to a style element counts at once (expo-font reads its rules right after).
    if (this instanceof HTMLStyleElement) sync(this);
    return result;
  };
  proto.insertBefore = function <T extends Node>(this: Node, node: T, child: Node | null): T {
    if (node instanceof HTMLStyleElement && inDocument(this)) {
      insertAside(node, this);
      return node;
    }
    if (child instanceof HTMLStyleElement && bridges.get(child)?.parent === this) child = null;
    return insertBefore.call(this, node, child) as T;
  };
  proto.removeChild = function <T extends Node>(this: Node, node: T): T {
    if (node instanceof HTMLStyleElement && bridges.get(node)?.parent === this) {
      removeAside(node);
      return node;
    }
    return removeChild.call(this, node) as T;
  };
  // ParentNode's append/prepend (reanimated adds its keyframes sheet with `document.head.append`).
  for (const name of ["append", "prepend"] as const) {
    const original = Element.prototype[name];
    Element.prototype[name] = function (this: Element, ...nodes: (Node | string)[]) {
      const kept = nodes.filter((node) => {
        if (!(node instanceof HTMLStyleElement) || !inDocument(this)) return true;
        insertAside(node, this);
        return false;
      });
      original.apply(this, kept);
    };
  }
  const remove = Element.prototype.remove;
  Element.prototype.remove = function (this: Element) {
    if (this instanceof HTMLStyleElement && removeAside(this)) return;
    remove.call(this);
  };
  const getElementById = Document.prototype.getElementById;
  Document.prototype.getElementById = function (this: Document, id: string) {
    const found = getElementById.call(this, id);
    if (found) return found;
    for (const [element, bridge] of bridges) if (bridge.parent && element.id === id) return element;
    return null;
  };
}

install();
