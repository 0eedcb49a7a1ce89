import type { AppSection, ChunkTable, Factory, ModuleRecord } from "./types";

const RUNTIME_PREFIX = "runtime:";
/** Runtime-graph targets that are not modules (runtime/sdks/build-sdk.mjs). */
const EMPTY_TARGET = "\0empty";
const MISSING_PREFIX = "missing:";

interface Instance {
  key: string;
  deps: string;
  module: { id: string; exports: unknown; loaded: boolean };
}

/** What one run of the graph did: which modules executed and which kept their previous instance. */
export interface RunResult {
  exports: unknown;
  ran: string[];
  reused: string[];
}

/**
 * The CommonJS module registry behind `__hs`: factories by content key (registered by the module
 * scripts), the runtime set by name, and the app's module instances by id. Pure logic, no DOM, so
 * it can be tested in Node.
 */
export class Registry {
  private readonly factories = new Map<string, Factory>();
  private readonly provided = new Map<string, unknown>();
  private instances = new Map<string, Instance>();
  /** The SDK's modules (id → key and deps), from the chunks loaded so far. */
  private readonly runtimeGraph = new Map<string, { key: string; deps: Record<string, string> }>();
  /** SDK module instances: made on first require, kept for the page's life (one React, one router). */
  private readonly runtimeInstances = new Map<string, { exports: unknown }>();
  private lastRunFailed = false;

  /** Registers a module script's factory. A key is content, so a second registration is the same code. */
  define(key: string, factory: Factory): void {
    if (typeof factory !== "function") throw new TypeError(`__hs.f("${key}"): the factory is not a function`);
    if (!this.factories.has(key)) this.factories.set(key, factory);
  }

  /** Whether the script for `key` has run (its factory is known). */
  has(key: string): boolean {
    return this.factories.has(key);
  }

  /** Registers an SDK chunk: its modules' factories by key and where each of their requires goes. */
  defineChunk(table: ChunkTable, factories: Record<string, Factory>): void {
    for (const [key, factory] of Object.entries(factories)) this.define(key, factory);
    for (const [id, [key, deps]] of Object.entries(table)) this.runtimeGraph.set(id, { key, deps });
  }

  /** Whether the SDK module `id` is loaded (its chunk has run). */
  hasRuntime(id: string): boolean {
    return this.runtimeGraph.has(id);
  }

  /**
   * The SDK module `id`, run on first use. A package's own require of something the browser has
   * no use for (a Node built-in, a `browser: false` field) gets an empty module; one that could
   * not be resolved throws only when it runs, as it would under Metro's lazy requires.
   */
  requireRuntime(id: string, from = "the runtime"): unknown {
    if (this.provided.has(id)) return this.provided.get(id);
    if (id === EMPTY_TARGET) return {};
    if (id.startsWith(MISSING_PREFIX))
      throw new Error(
        `Unable to resolve "${id.slice(MISSING_PREFIX.length)}" from "${from}": it is not part of the preview runtime (a native or Node-only module)`,
      );
    const existing = this.runtimeInstances.get(id);
    if (existing) return existing.exports;
    const record = this.runtimeGraph.get(id);
    if (!record) throw new Error(`"${id}" (required from "${from}") is not in the loaded runtime`);
    const factory = this.factories.get(record.key);
    if (!factory) throw new Error(`The runtime module "${id}" has no factory`);
    const module = { id, exports: {} as unknown, loaded: false };
    this.runtimeInstances.set(id, module);
    const require = (spec: string) => {
      const target = record.deps[spec];
      if (target === undefined) throw new Error(`Unable to resolve "${spec}" from "${id}"`);
      return this.requireRuntime(target, id);
    };
    execute(factory, module, require, () => this.runtimeInstances.delete(id));
    return module.exports;
  }

  /** Makes `exports` what `require(name)` returns for the runtime-set module `name`. */
  provide(name: string, exports: unknown): void {
    this.provided.set(name, exports);
  }

  /** The names of the runtime set, sorted. */
  providedNames(): string[] {
    return [...this.provided.keys()].sort();
  }

  /** The runtime-set module `name` (what `require(name)` would return), or undefined. */
  lookup(name: string): unknown {
    return this.provided.get(name);
  }

  /**
   * Runs the app's entry against `app`'s graph. A module keeps its previous instance when its key
   * and deps are unchanged and nothing it depends on (transitively) re-runs; every other module,
   * and the entry whenever anything changed, runs again — so no module holds a stale export.
   * Throws what a module throws (the registry keeps the modules that did finish).
   */
  run(app: AppSection): RunResult {
    const modules = app.modules ?? {};
    const entry = app.entry;
    if (!entry || !modules[entry])
      throw new Error(`The app's entry "${entry ?? ""}" is not in its module graph`);
    const dirty = this.dirtySet(modules, entry);
    if (dirty.size > 0 || this.lastRunFailed) dirty.add(entry);

    const next = new Map<string, Instance>();
    const reused: string[] = [];
    for (const [id, instance] of this.instances)
      if (modules[id] && !dirty.has(id)) {
        next.set(id, instance);
        reused.push(id);
      }
    this.instances = next;
    const ran: string[] = [];
    this.lastRunFailed = true;
    const exports = this.instantiate(entry, modules, ran);
    this.lastRunFailed = false;
    return { exports, ran, reused: reused.sort() };
  }

  /**
   * Modules that must run again: new or changed ones the entry reaches, plus everything that
   * (transitively) requires one. A module nothing requires is not run, so it is never dirty.
   */
  private dirtySet(modules: Record<string, ModuleRecord>, entry: string): Set<string> {
    const dirty = new Set<string>();
    const dependents = new Map<string, string[]>();
    for (const id of reachable(modules, entry)) {
      const record = modules[id];
      if (!record) continue;
      const previous = this.instances.get(id);
      if (!previous || previous.key !== record.key || previous.deps !== depsSignature(record)) dirty.add(id);
      for (const target of Object.values(record.deps ?? {})) {
        if (target.startsWith(RUNTIME_PREFIX)) continue;
        if (!modules[target]) dirty.add(id);
        const list = dependents.get(target) ?? [];
        list.push(id);
        dependents.set(target, list);
      }
    }
    const queue = [...dirty];
    for (let id = queue.pop(); id !== undefined; id = queue.pop())
      for (const dependent of dependents.get(id) ?? [])
        if (!dirty.has(dependent)) {
          dirty.add(dependent);
          queue.push(dependent);
        }
    return dirty;
  }

  private instantiate(id: string, modules: Record<string, ModuleRecord>, ran: string[]): unknown {
    const existing = this.instances.get(id);
    // Also what makes circular requires work: a module in progress hands out its partial exports.
    if (existing) return existing.module.exports;
    const record = modules[id];
    if (!record) throw new Error(`Module "${id}" is not in the app's module graph`);
    const factory = this.factories.get(record.key);
    if (!factory) throw new Error(`Module "${id}" (${record.url}) has not been loaded`);
    const module = { id, exports: {} as unknown, loaded: false };
    this.instances.set(id, { key: record.key, deps: depsSignature(record), module });
    const require = (spec: string) => this.require(id, record, spec, modules, ran);
    execute(factory, module, require, () => this.instances.delete(id));
    ran.push(id);
    return module.exports;
  }

  private require(
    from: string,
    record: ModuleRecord,
    spec: string,
    modules: Record<string, ModuleRecord>,
    ran: string[],
  ): unknown {
    // A specifier the build did not list but the runtime set holds (a require the build could not
    // see statically, e.g. one built from a string) still works, as it would under Metro.
    const target = record.deps?.[spec] ?? (this.provided.has(spec) ? RUNTIME_PREFIX + spec : undefined);
    if (target === undefined) throw new Error(`Unable to resolve "${spec}" from "${from}"`);
    if (!target.startsWith(RUNTIME_PREFIX)) return this.instantiate(target, modules, ran);
    const name = target.slice(RUNTIME_PREFIX.length);
    if (this.provided.has(name)) return this.provided.get(name);
    if (!this.runtimeGraph.has(name) && name !== EMPTY_TARGET && !name.startsWith(MISSING_PREFIX))
      throw new Error(`"${spec}" (required from "${from}") is not in this runtime set`);
    return this.requireRuntime(name, from);
  }
}

/**
 * Runs a module's factory as Node and Metro do (`this` = exports, `__dirname` its folder) and marks
 * it loaded; a factory that throws is forgotten (`forget`) so the next require runs it again.
 */
function execute(
  factory: Factory,
  module: { id: string; exports: unknown; loaded: boolean },
  require: (spec: string) => unknown,
  forget: () => void,
): void {
  const { id } = module;
  const slash = id.lastIndexOf("/");
  try {
    factory.call(module.exports, require, module, module.exports, id, slash < 0 ? "." : id.slice(0, slash));
  } catch (error) {
    forget();
    throw error;
  }
  module.loaded = true;
}

/** The module ids `entry` reaches through its deps (the runtime set aside), itself included. */
function reachable(modules: Record<string, ModuleRecord>, entry: string): Set<string> {
  const seen = new Set<string>([entry]);
  const queue = [entry];
  for (let id = queue.pop(); id !== undefined; id = queue.pop())
    for (const target of Object.values(modules[id]?.deps ?? {}))
      if (!target.startsWith(RUNTIME_PREFIX) && !seen.has(target)) {
        seen.add(target);
        queue.push(target);
      }
  return seen;
}

function depsSignature(record: ModuleRecord): string {
  return JSON.stringify(Object.entries(record.deps ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
