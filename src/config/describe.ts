/**
 * Printing resolved values as JSON: data prints as itself; what is not JSON data (component instances,
 * functions, typed arrays, ...) prints as a short description of its type.
 */
import { isJsonataFunction } from './expressions.js';
import { isPlainObject } from './sigils.js';

/** A short JSON description of a non-JSON value. */
export function describeValue(value: unknown): Record<string, unknown> {
  if (typeof value === 'function') return { $type: 'function', name: value.name || undefined };
  if (isJsonataFunction(value)) {
    const params = (value as { arguments?: Array<{ value?: string }> }).arguments?.map((a) => `$${a.value}`);
    return { $type: 'function', language: 'jsonata', params };
  }
  if (ArrayBuffer.isView(value)) {
    return { $type: value.constructor.name, length: (value as unknown as { length?: number }).length ?? value.byteLength };
  }
  if (value instanceof Map) return { $type: 'Map', size: value.size };
  if (value instanceof Set) return { $type: 'Set', size: value.size };
  if (typeof value === 'bigint') return { $type: 'bigint', value: value.toString() };
  if (typeof value === 'symbol' || value === undefined) return { $type: typeof value };
  if (typeof value === 'number') return { $type: 'number', value: String(value) };
  const ctor = (value as object).constructor?.name ?? 'object';
  const description: Record<string, unknown> = { $type: ctor };
  const shape = (value as { shape?: unknown }).shape;
  if (Array.isArray(shape)) description.shape = shape;
  return description;
}

/** A JSON-safe copy of a resolved value: data kept, everything else described. */
export function toPrintable(value: unknown, seen: Set<object> = new Set()): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : describeValue(value);
  if (Array.isArray(value)) {
    if (seen.has(value)) return { $type: 'circular' };
    seen.add(value);
    const out = value.map((v) => toPrintable(v, seen));
    seen.delete(value);
    return out;
  }
  if (isPlainObject(value) && !isJsonataFunction(value)) {
    if (seen.has(value)) return { $type: 'circular' };
    seen.add(value);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      Object.defineProperty(out, k, { value: toPrintable(v, seen), enumerable: true, writable: true, configurable: true });
    }
    seen.delete(value);
    return out;
  }
  return describeValue(value);
}

/** A short JSON text of any value, for error messages (never throws, at most `max` characters). */
export function briefValue(value: unknown, max = 80): string {
  let text: string;
  try {
    text = JSON.stringify(toPrintable(value)) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}
