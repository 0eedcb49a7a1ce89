// Real-looking sample files for the local documenter's tests. Line numbers asserted in the tests
// refer to these texts exactly, so edit them together.

/** A TypeScript module: imports, JSDoc'd exports, an undocumented export, a private helper, a TODO. */
export const API_TS = `/**
 * HTTP API of the demo service.
 */

import { Hono } from "hono";
import { z } from "zod";
import type { Db } from "./db";

/** Largest page a list endpoint returns. */
export const MAX_PAGE = 100;

/**
 * Builds the HTTP app.
 * @param name Service name shown in /health.
 */
export function createApp(name: string, db: Db): Hono {
  const app = new Hono();
  // TODO: add auth before launch
  app.get("/health", (c) => c.json({ name }));
  if (!db) {
    throw new Error("no database");
  }
  return app;
}

/** Keeps items in memory. */
export class Store<T> extends Base {
  private items: T[] = [];

  /** Adds an item. */
  add(item: T): void {
    this.items.push(item);
  }

  get size(): number {
    return this.items.length;
  }
}

export interface Options {
  port: number;
  verbose?: boolean;
}

export type Id = string | number;

export const parseId = async (raw: string): Promise<Id> => {
  // FIXME: reject negative numbers
  return z.coerce.number().parse(raw);
};

function helper() {
  return "internal";
}
`;

/** A TSX component with a props interface, hooks and JSX text that contains an apostrophe. */
export const BUTTON_TSX = `import { useState, useEffect } from "react";
import "./button.css";

export interface ButtonProps {
  label: string;
  onClick?: () => void;
}

/** A button that counts its clicks. */
export function Button({ label, onClick }: ButtonProps) {
  const [count, setCount] = useState(0);
  useEffect(() => {
    document.title = \`\${label}: \${count}\`;
  }, [label, count]);
  return (
    <button type="button" onClick={() => { setCount(count + 1); onClick?.(); }}>
      {label} — it's been clicked {count} times
    </button>
  );
}

export default Button;
`;

/** A Python module with a module docstring, docstrings, a decorator, a __main__ block and a TODO. */
export const STORE_PY = `"""Key-value storage backed by a JSON file."""

import json
import os.path as osp
from dataclasses import dataclass, field
from typing import (
    Any,
    Optional,
)

DEFAULT_PATH = "store.json"


@dataclass
class Store:
    """In-memory store that can be saved to disk."""

    path: str = DEFAULT_PATH
    data: dict = field(default_factory=dict)

    def get(self, key: str) -> Optional[Any]:
        """Return the value for key, or None."""
        return self.data.get(key)

    def save(self) -> None:
        # TODO: write atomically
        with open(self.path, "w") as f:
            json.dump(self.data, f)

    def _check(self):
        pass


def load(path: str = DEFAULT_PATH) -> Store:
    """Load a store from path.

    Missing files give an empty store.
    """
    if not osp.exists(path):
        return Store(path)
    with open(path) as f:
        return Store(path, json.load(f))


def _private():
    return 1


if __name__ == "__main__":
    print(load().data)
`;

export const PACKAGE_JSON = `{
  "name": "demo-app",
  "version": "1.2.3",
  "description": "A demo application",
  "type": "module",
  "scripts": {
    "dev": "wrangler dev",
    "test": "vitest run",
    "build": "tsc -p ."
  },
  "dependencies": {
    "hono": "^4.0.0",
    "zod": "^4.0.0"
  },
  "devDependencies": {
    "typescript": "^5.0.0",
    "vitest": "^3.0.0",
    "wrangler": "^4.0.0"
  }
}
`;

export const README_MD = `# Demo App

A tiny demo that shows the API.

## Install

\`\`\`bash
npm install
# not a heading
\`\`\`

## Usage

Run \`npm run dev\` and open [the app](http://localhost:8787).

### Options

See [the docs](docs/options.md) and ![diagram](img/arch.png).

<!-- TODO: document deployment -->
`;
