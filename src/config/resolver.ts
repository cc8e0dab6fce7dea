/**
 * Lazy, cached resolution in dependency order. Resolving an id walks its dependencies depth-first with an
 * explicit stack (no JS recursion, so chains of any length work), computes each item once its
 * dependencies are cached, and caches it: every referrer gets the same value (the same component
 * instance). A dependency already on the stack is a cycle, reported whole. Order is document order.
 */
import { BundleError, type Origin } from '../errors/index.js';
import { closestNames } from '../util/closest.js';
import { absolutePath, allIds, childId, lookup, parseWholeReference, type IdPath } from './ids.js';
import { argumentKeys, componentMode, instantiate, isDisabled } from './components.js';
import type { ExpressionEngine, PreparedExpression } from './expressions.js';
import type { RawRoot } from './merge.js';
import type { OriginTable } from './provenance.js';
import { DISABLED_KEY, isPlainObject, REQUIRES_KEY, setOwn, TARGET_KEY } from './sigils.js';
import type { ComponentFactory, Logger } from './types.js';

/** Marks a disabled component's cached value: dropped from its container, null when asked for directly. */
export const DISABLED = Symbol('disabled');

export type ItemKind = 'literal' | 'reference' | 'expression' | 'component' | 'container';

export function kindOf(raw: unknown): ItemKind {
  if (typeof raw === 'string') {
    if (raw.startsWith('$')) return 'expression';
    if (raw.startsWith('@') && parseWholeReference(raw)) return 'reference';
    return 'literal';
  }
  if (isPlainObject(raw)) return Object.hasOwn(raw, TARGET_KEY) ? 'component' : 'container';
  if (Array.isArray(raw)) return 'container';
  return 'literal';
}

export interface Item {
  id: string;
  path: string[];
  raw: unknown;
  kind: ItemKind;
}

interface Frame extends Item {
  deps: Item[] | null;
  next: number;
  /** components: false while only `_disabled_` is being resolved */
  enabled: boolean;
  prepared?: PreparedExpression;
}

export interface ResolverOptions {
  root: RawRoot;
  origins: OriginTable;
  engine: ExpressionEngine;
  factory: ComponentFactory;
  bundleRoot: string;
  logger: Logger;
  /** where `_mode_: debug` prints; default stderr */
  debugSink?: (text: string) => void;
}

export class Resolver {
  readonly cache = new Map<string, unknown>();
  private readonly inflight = new Map<string, Promise<unknown>>();

  constructor(private readonly o: ResolverOptions) {}

  item(path: string[], id: string): Item | undefined {
    const found = lookup(this.o.root.value, path);
    return found.found ? { id, path, raw: found.value, kind: kindOf(found.value) } : undefined;
  }

  origin(path: IdPath): Origin | undefined {
    return this.o.origins.at(this.o.root.value, path);
  }

  /** The resolved value of an item (cached); disabled components are null. */
  async resolve(item: Item): Promise<unknown> {
    const v = await this.value(item);
    return v === DISABLED ? null : v;
  }

  /** Re-executes an item and everything inside it, keeping what they reference cached. */
  async rerun(item: Item): Promise<unknown> {
    this.forget(item.id);
    try {
      return await this.resolve(item);
    } finally {
      this.forget(item.id);
    }
  }

  private forget(id: string): void {
    const prefix = id === '' ? '' : `${id}::`;
    for (const key of this.cache.keys()) if (key === id || key.startsWith(prefix)) this.cache.delete(key);
  }

  private async value(start: Item): Promise<unknown> {
    if (start.kind === 'literal') return start.raw;
    if (this.cache.has(start.id)) return this.cache.get(start.id);
    const stack: Frame[] = [frameOf(start)];
    const onStack = new Map<string, number>([[start.id, 0]]);
    while (stack.length > 0) {
      const f = stack[stack.length - 1]!;
      try {
        if (f.deps === null) f.deps = this.dependencies(f);
        let pushed = false;
        while (f.next < f.deps.length) {
          const d = f.deps[f.next]!;
          if (d.kind === 'literal' || this.cache.has(d.id)) { f.next++; continue; }
          const running = this.inflight.get(d.id);
          if (running) { await running; f.next++; continue; }
          const at = onStack.get(d.id);
          if (at !== undefined) throw this.cycleError([...stack.slice(at).map((s) => s.id), d.id]);
          stack.push(frameOf(d));
          onStack.set(d.id, stack.length - 1);
          pushed = true;
          break;
        }
        if (pushed) continue;
        if (f.kind === 'component' && !f.enabled) {
          const raw = f.raw as Record<string, unknown>;
          if (isDisabled(this.valueOf(f, DISABLED_KEY, raw[DISABLED_KEY]), f.id, this.origin(f.path))) {
            this.cache.set(f.id, DISABLED);
          } else {
            componentMode(raw, f.id, this.origin(f.path));
            f.enabled = true;
            f.deps = null;
            f.next = 0;
            continue;
          }
        } else if (!this.cache.has(f.id)) {
          const running = this.inflight.get(f.id);
          if (running) await running;
          else {
            const result = this.compute(f);
            if (result instanceof Promise) {
              // registered while it runs, so a concurrent resolution waits instead of building it twice
              this.inflight.set(f.id, result);
              try {
                this.cache.set(f.id, await result);
              } finally {
                this.inflight.delete(f.id);
              }
            } else this.cache.set(f.id, result);
          }
        }
      } catch (e) {
        if (e instanceof BundleError) throw e.withLocation({ id: f.id, origin: this.origin(f.path) });
        throw e;
      }
      stack.pop();
      onStack.delete(f.id);
    }
    return this.cache.get(start.id);
  }

  /** What must be cached before `f` can be computed (for components: in two phases). */
  dependencies(f: Frame): Item[] {
    switch (f.kind) {
      case 'reference':
        return [this.target(f, f.raw as string)];
      case 'expression': {
        f.prepared = this.o.engine.prepare((f.raw as string).slice(1));
        return f.prepared.refs.map((r) => this.target(f, r.text));
      }
      case 'container':
        return this.children(f, Array.isArray(f.raw) ? f.raw.map((_, i) => String(i)) : Object.keys(f.raw as object));
      case 'component': {
        const raw = f.raw as Record<string, unknown>;
        if (!f.enabled) return Object.hasOwn(raw, DISABLED_KEY) ? this.children(f, [DISABLED_KEY]) : [];
        const keys = [REQUIRES_KEY, TARGET_KEY, ...argumentKeys(raw)].filter((k) => Object.hasOwn(raw, k));
        return this.children(f, keys);
      }
      default:
        return [];
    }
  }

  private children(f: Item, keys: string[]): Item[] {
    const raw = f.raw as Record<string, unknown>;
    const out: Item[] = [];
    for (const k of keys) {
      const v = raw[k];
      const kind = kindOf(v);
      if (kind !== 'literal') out.push({ id: childId(f.id, k), path: [...f.path, k], raw: v, kind });
    }
    return out;
  }

  /** The item a reference token names, seen from `holder`; missing is `missing_reference`. */
  target(holder: Item, text: string): Item {
    const rel = parseWholeReference(text)!;
    const origin = this.origin(holder.path);
    const path = absolutePath(rel, holder.path, text, origin);
    const id = path.join('::');
    const found = this.item(path, id);
    if (found) return found;
    throw new BundleError('missing_reference', `The reference "${text}" names the id "${id}", which does not exist.`, {
      location: { id: holder.id, origin },
      candidates: closestNames(id, allIds(this.o.root.value)),
    });
  }

  private valueOf(f: Item, key: string, raw: unknown): unknown {
    if (kindOf(raw) === 'literal') return raw;
    return this.cache.get(childId(f.id, key));
  }

  /** The item's value from its cached dependencies: a Promise only for expressions and components. */
  private compute(f: Frame): unknown {
    switch (f.kind) {
      case 'reference': {
        const d = f.deps![0]!;
        const v = d.kind === 'literal' ? d.raw : this.cache.get(d.id);
        return v === DISABLED ? null : v;
      }
      case 'expression': {
        const values = f.deps!.map((d) => {
          const v = d.kind === 'literal' ? d.raw : this.cache.get(d.id);
          return v === DISABLED ? null : v;
        });
        return this.o.engine.evaluate(f.prepared!, values);
      }
      case 'container':
        return this.assemble(f);
      case 'component':
        return this.build(f);
      default:
        return f.raw;
    }
  }

  private assemble(f: Item): unknown {
    if (Array.isArray(f.raw)) {
      const out: unknown[] = [];
      f.raw.forEach((v, i) => {
        const r = this.valueOf(f, String(i), v);
        if (r !== DISABLED) out.push(r);
      });
      return out;
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(f.raw as Record<string, unknown>)) {
      const r = this.valueOf(f, k, v);
      if (r !== DISABLED) setOwn(out, k, r);
    }
    return out;
  }

  private async build(f: Item): Promise<unknown> {
    const raw = f.raw as Record<string, unknown>;
    const origin = this.origin(f.path);
    const mode = componentMode(raw, f.id, origin);
    const target = this.valueOf(f, TARGET_KEY, raw[TARGET_KEY]);
    const args: Record<string, unknown> = {};
    for (const k of argumentKeys(raw)) {
      const v = this.valueOf(f, k, raw[k]);
      if (v !== DISABLED) setOwn(args, k, v);
    }
    const options = {
      factory: this.o.factory,
      engine: this.o.engine,
      context: { id: f.id, bundleRoot: this.o.bundleRoot, logger: this.o.logger },
      origin,
    };
    if (mode === 'callable') {
      return (overrides?: Record<string, unknown>) =>
        instantiate(target, isPlainObject(overrides) ? { ...args, ...overrides } : args, options);
    }
    const result = await instantiate(target, args, options);
    if (mode === 'debug') {
      const sink = this.o.debugSink ?? ((t: string) => process.stderr.write(`${t}\n`));
      sink(`[debug] ${f.id || '<root>'}: ${String(target)} with ${safeJson(args)} -> ${typeName(result)}`);
    }
    return result;
  }

  private cycleError(cycle: string[]): BundleError {
    const shown = cycle.map((c) => c || '<root>');
    return new BundleError('circular_reference', `Circular reference: ${shown.join(' -> ')}.`, { cycle: shown });
  }
}

function frameOf(item: Item): Frame {
  return { id: item.id, path: item.path, raw: item.raw, kind: item.kind, deps: null, next: 0, enabled: false, prepared: undefined };
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value, (_k, v) => (typeof v === 'function' ? '<function>' : v)) ?? String(value);
  } catch {
    return String(value);
  }
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'object') return value.constructor?.name ?? 'object';
  return typeof value;
}

