import { integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { projects } from "./projects";

/**
 * The app's own dependencies (docs/previews.md §4): one row per pre-bundled module the desktop
 * uploaded, keyed by the specifier it provides (`lodash`, `lodash/debounce`). The blob (`sha256`)
 * is a mirror blob of the project, holding the module's CommonJS body. `PUT
 * /projects/:id/dependencies` replaces a project's rows as a whole.
 */
export const projectDependencies = sqliteTable(
  "project_dependencies",
  {
    projectId: text("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    specifier: text("specifier").notNull(),
    /** `npm:<name>@<version>` or `npm:<name>@<version>/<subpath>`. */
    moduleId: text("module_id").notNull(),
    name: text("name").notNull(),
    version: text("version").notNull(),
    sha256: text("sha256").notNull(),
    size: integer("size").notNull(),
    /** JSON array of the bare specifiers the module requires. */
    requires: text("requires").notNull(),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.specifier] })],
);
