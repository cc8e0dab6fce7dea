/**
 * The config language's sigils and special keys, in one place (spec: Sigils, Components).
 * A sigil only counts at position 0 of a string.
 */
export const REFERENCE_SIGIL = '@';
export const EXPRESSION_SIGIL = '$';
export const MACRO_SIGIL = '%';
export const MERGE_PREFIX = '+';
export const META_KEY = '_meta_';

export const TARGET_KEY = '_target_';
export const DISABLED_KEY = '_disabled_';
export const REQUIRES_KEY = '_requires_';
export const DESC_KEY = '_desc_';
export const MODE_KEY = '_mode_';
export const SPECIAL_KEYS: ReadonlySet<string> = new Set([TARGET_KEY, DISABLED_KEY, REQUIRES_KEY, DESC_KEY, MODE_KEY]);

export const MODES = ['default', 'callable', 'debug'] as const;
export type ComponentMode = (typeof MODES)[number];

/** One id segment inside a reference: word characters, Unicode letters and digits included. */
const SEGMENT = '[\\p{L}\\p{Nd}_]+';
const SEPARATOR = '(?:::|#)';
/** `@` + optional relative prefix + segments; the whole string. */
export const WHOLE_REFERENCE = new RegExp(`^@(${SEPARATOR}*)(${SEGMENT}(?:${SEPARATOR}${SEGMENT})*)$`, 'u');
/** The same grammar as a sticky token, for scanning expression code (longest match wins). */
export const REFERENCE_TOKEN = new RegExp(`@(${SEPARATOR}*)(${SEGMENT}(?:${SEPARATOR}${SEGMENT})*)`, 'uy');

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

export function isContainer(value: unknown): value is Record<string, unknown> | unknown[] {
  return Array.isArray(value) || isPlainObject(value);
}

export function isComponent(value: unknown): value is Record<string, unknown> {
  return isPlainObject(value) && Object.hasOwn(value, TARGET_KEY);
}

export function isExpression(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith(EXPRESSION_SIGIL);
}

export function isMacro(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith(MACRO_SIGIL);
}

/** Sets an own property even for `__proto__`, so data keys never touch prototypes. */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}
