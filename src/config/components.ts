/**
 * Component rules (`_target_`, `_disabled_`, `_mode_`): interpreting the special keys and instantiating
 * through the registry or a function value. Argument resolution itself is the resolver's job.
 */
import { unknownTargetError } from './unknownTarget.js';
import { BundleError, type Origin } from '../errors/index.js';
import { briefValue } from './describe.js';
import { isJsonataFunction, type ExpressionEngine } from './expressions.js';
import { MODE_KEY, MODES, SPECIAL_KEYS, type ComponentMode } from './sigils.js';
import type { BuildContext, ComponentFactory } from './types.js';

/** `_disabled_`: true / "true" (any case, trimmed) disable; false / "false" / null / absent enable. */
export function isDisabled(value: unknown, id: string, origin?: Origin): boolean {
  if (value === true) return true;
  if (value === false || value === null || value === undefined) return false;
  if (typeof value === 'string') {
    const t = value.trim().toLowerCase();
    if (t === 'true') return true;
    if (t === 'false') return false;
  }
  throw new BundleError('invalid_arguments', `_disabled_ must be true, false, "true", "false" or null, not ${briefValue(value)}.`, {
    location: { id, origin, path: '/_disabled_' },
    hint: 'set _disabled_ to true or false, or to a reference/expression yielding one',
  });
}

export function componentMode(raw: Record<string, unknown>, id: string, origin?: Origin): ComponentMode {
  const mode = raw[MODE_KEY];
  if (mode === undefined) return 'default';
  if (typeof mode === 'string' && (MODES as readonly string[]).includes(mode)) return mode as ComponentMode;
  throw new BundleError('invalid_mode', `_mode_ ${briefValue(mode)} is not one of "default", "callable", "debug".`, {
    location: { id, origin, path: '/_mode_' },
  });
}

/** Argument keys: every key that is not special. */
export function argumentKeys(raw: Record<string, unknown>): string[] {
  return Object.keys(raw).filter((k) => !SPECIAL_KEYS.has(k));
}

export interface InstantiateOptions {
  factory: ComponentFactory;
  engine: ExpressionEngine;
  context: BuildContext;
  origin?: Origin;
}

/** Builds a component from its resolved target (registry name or function value) and resolved arguments. */
export async function instantiate(target: unknown, args: Record<string, unknown>, options: InstantiateOptions): Promise<unknown> {
  const { factory, engine, context, origin } = options;
  const location = { id: context.id, origin };
  if (typeof target === 'string') {
    if (!factory.has(target)) {
      throw unknownTargetError(target, factory.names(), location);
    }
    try {
      return await factory.create(target, args, context);
    } catch (e) {
      if (e instanceof BundleError) throw e.withLocation(location);
      throw new BundleError('runtime_error', `Building "${target}" failed: ${e instanceof Error ? e.message : String(e)}`, { location, cause: e });
    }
  }
  if (typeof target === 'function' || isJsonataFunction(target)) {
    const result = await engine.call(target, [args]);
    return result;
  }
  throw new BundleError('invalid_arguments', `_target_ must name a registered component or yield a function, not ${describeType(target)}.`, {
    location: { ...location, path: '/_target_' },
  });
}

export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return `${value.constructor?.name ?? 'an object'}`;
  return `a ${typeof value}`;
}

