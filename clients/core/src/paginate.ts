import type { Page } from "./types";

/**
 * Walks every page of a list endpoint, yielding items; `fetchPage` gets the cursor of the next
 * page (undefined first).
 *
 * @example
 * for await (const project of paginate((cursor) => client.projects.list({ cursor }))) {
 *   console.log(project.name);
 * }
 */
export async function* paginate<T>(
  fetchPage: (cursor: string | undefined) => Promise<Page<T>>,
): AsyncGenerator<T> {
  let cursor: string | undefined;
  do {
    const page = await fetchPage(cursor);
    yield* page.items;
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
}

/**
 * Every item of every page, in one array.
 *
 * @example
 * const devices = await collectAll((cursor) => client.ai.list(projectId, { cursor }));
 */
export async function collectAll<T>(
  fetchPage: (cursor: string | undefined) => Promise<Page<T>>,
): Promise<T[]> {
  const all: T[] = [];
  for await (const item of paginate(fetchPage)) all.push(item);
  return all;
}
