/**
 * Whole-config walks that do not run anything: `check` (every reference, target, literal argument set and
 * expression, plus cycles, all reported at once) and the reference graph `explain` shows.
 */
import { unknownTargetError } from './unknownTarget.js';
import { BundleError } from '../errors/index.js';
import { argumentKeys, componentMode, isDisabled } from './components.js';
import type { ExpressionEngine } from './expressions.js';
import { childId } from './ids.js';
import { kindOf, type Item, type Resolver } from './resolver.js';
import { DESC_KEY, DISABLED_KEY, isContainer, TARGET_KEY } from './sigils.js';
import type { ComponentFactory } from './types.js';

export interface InspectContext {
  resolver: Resolver;
  engine: ExpressionEngine;
  factory: ComponentFactory;
  root: Item;
}

/** True when `raw` holds no reference, expression or component anywhere. */
export function isFullyLiteral(raw: unknown): boolean {
  const kind = kindOf(raw);
  if (kind === 'literal') return true;
  if (kind !== 'container') return false;
  return Object.values(raw as object).every(isFullyLiteral);
}

/** A component whose `_disabled_` is written as a true value: nothing in it is checked or followed. */
function literallyDisabled(item: Item): boolean {
  if (item.kind !== 'component') return false;
  const raw = item.raw as Record<string, unknown>;
  if (!Object.hasOwn(raw, DISABLED_KEY) || kindOf(raw[DISABLED_KEY]) !== 'literal') return false;
  try {
    return isDisabled(raw[DISABLED_KEY], item.id);
  } catch {
    return false; // reported by checkComponent
  }
}

/** Children to walk (skips `_desc_`, and everything inside a component disabled by a literal). */
function childrenOf(item: Item): Item[] {
  if (!isContainer(item.raw)) return [];
  const raw = item.raw as Record<string, unknown>;
  if (literallyDisabled(item)) return [];
  const keys = Array.isArray(item.raw) ? item.raw.map((_, i) => String(i)) : Object.keys(raw).filter((k) => k !== DESC_KEY);
  return keys.map((k) => {
    const v = raw[k];
    return { id: childId(item.id, k), path: [...item.path, k], raw: v, kind: kindOf(v) };
  });
}

/** Targets of the references in one item (its own string only). */
function targetsOf(ctx: InspectContext, item: Item, errors: BundleError[]): Item[] {
  const out: Item[] = [];
  const texts: string[] = [];
  if (item.kind === 'reference') texts.push(item.raw as string);
  else if (item.kind === 'expression') {
    try {
      texts.push(...ctx.engine.prepare((item.raw as string).slice(1)).refs.map((r) => r.text));
    } catch (e) {
      errors.push(located(e, ctx, item));
    }
  }
  for (const t of texts) {
    try {
      out.push(ctx.resolver.target(item, t));
    } catch (e) {
      errors.push(located(e, ctx, item));
    }
  }
  return out;
}

function located(e: unknown, ctx: InspectContext, item: Item): BundleError {
  if (!(e instanceof BundleError)) throw e;
  return e.withLocation({ id: item.id, origin: ctx.resolver.origin(item.path) });
}

function checkComponent(ctx: InspectContext, item: Item, errors: BundleError[]): void {
  const raw = item.raw as Record<string, unknown>;
  const origin = ctx.resolver.origin(item.path);
  try {
    componentMode(raw, item.id, origin);
    if (kindOf(raw[DISABLED_KEY]) === 'literal') isDisabled(raw[DISABLED_KEY], item.id, origin);
  } catch (e) {
    errors.push(located(e, ctx, item));
  }
  const target = raw[TARGET_KEY];
  if (typeof target !== 'string' || kindOf(target) !== 'literal') return;
  if (!ctx.factory.has(target)) {
    errors.push(
      unknownTargetError(target, ctx.factory.names(), { id: item.id, origin }),
    );
    return;
  }
  if (!ctx.factory.validate) return;
  const literal: Record<string, unknown> = {};
  const dynamic = new Set<string>();
  for (const k of argumentKeys(raw)) {
    if (isFullyLiteral(raw[k])) literal[k] = raw[k];
    else dynamic.add(k);
  }
  for (const e of ctx.factory.validate(target, literal, item.id)) {
    const arg = (e.location.path ?? '').split('/')[1] ?? '';
    if (!dynamic.has(arg)) errors.push(e.withLocation({ id: item.id, origin }));
  }
}

/** Every problem `bundle check` reports, in document order. */
export function checkAll(ctx: InspectContext): BundleError[] {
  const errors: BundleError[] = [];
  const seenCycles = new Set<string>();
  const state = new Map<string, number>(); // stack index while on the stack, -1 when done
  const stack: Array<{ item: Item; deps: Item[] | null; next: number }> = [{ item: ctx.root, deps: null, next: 0 }];
  state.set(ctx.root.id, 0);
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (top.deps === null) {
      if (top.item.kind === 'component' && !literallyDisabled(top.item)) checkComponent(ctx, top.item, errors);
      const children = childrenOf(top.item).filter((c) => c.kind !== 'literal');
      top.deps = [...targetsOf(ctx, top.item, errors), ...children];
    }
    if (top.next < top.deps.length) {
      const d = top.deps[top.next++]!;
      const s = state.get(d.id);
      if (s === undefined) {
        state.set(d.id, stack.length);
        stack.push({ item: d, deps: null, next: 0 });
      } else if (s >= 0) {
        const cycle = [...stack.slice(s).map((f) => f.item.id), d.id].map((c) => c || '<root>');
        const key = [...new Set(cycle)].sort().join('\n');
        if (!seenCycles.has(key)) {
          seenCycles.add(key);
          errors.push(
            new BundleError('circular_reference', `Circular reference: ${cycle.join(' -> ')}.`, {
              cycle,
              location: { id: top.item.id, origin: ctx.resolver.origin(top.item.path) },
            }),
          );
        }
      }
      continue;
    }
    state.set(top.item.id, -1);
    stack.pop();
  }
  return errors;
}

/** Ids referenced from inside `item` (its own references and those of everything it contains). */
export function referencesOf(ctx: InspectContext, item: Item): string[] {
  const out = new Set<string>();
  const todo = [item];
  while (todo.length > 0) {
    const it = todo.pop()!;
    for (const t of targetsOf(ctx, it, [])) out.add(t.id);
    todo.push(...childrenOf(it));
  }
  return [...out];
}

/** Items whose references name `id` or something inside it. */
export function referrersOf(ctx: InspectContext, id: string): string[] {
  const out: string[] = [];
  const todo = [ctx.root];
  while (todo.length > 0) {
    const it = todo.pop()!;
    if (it.kind === 'reference' || it.kind === 'expression') {
      const hits = targetsOf(ctx, it, []).some((t) => t.id === id || (id === '' ? true : t.id.startsWith(`${id}::`)));
      if (hits) out.push(it.id);
    }
    const children = childrenOf(it);
    for (let i = children.length - 1; i >= 0; i--) todo.push(children[i]!);
  }
  return out;
}
