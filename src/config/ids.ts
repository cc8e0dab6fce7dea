/**
 * Id grammar: `a::b::0`, legacy `#` accepted on input, `""` is the root. Inside the code ids are kept as
 * segment arrays (IdPath) and formatted only at the edges.
 */
import { BundleError, type Origin } from '../errors/index.js';
import { WHOLE_REFERENCE } from './sigils.js';

export type IdPath = readonly string[];
export const SEPARATOR = '::';
const SPLIT = /::|#/;

export function parseId(id: string): string[] {
  return id === '' ? [] : id.split(SPLIT);
}

export function formatId(path: IdPath): string {
  return path.join(SEPARATOR);
}

export function childId(parent: string, key: string | number): string {
  return parent === '' ? String(key) : `${parent}${SEPARATOR}${key}`;
}

/** A list element's segment: a non-negative decimal without leading zeros. */
export function isIndexSegment(segment: string): boolean {
  return /^(?:0|[1-9][0-9]*)$/.test(segment);
}

/** A parsed reference or macro id: `up` levels above the holder's container (0 = absolute), then `path`. */
export interface RelativeId {
  up: number;
  path: string[];
}

/** Parses the text after the sigil of a relative-capable id (`::x`, `##x`, `a#b`). */
export function parseRelative(text: string): RelativeId {
  let up = 0;
  let i = 0;
  for (;;) {
    if (text.startsWith('::', i)) i += 2;
    else if (text[i] === '#') i += 1;
    else break;
    up++;
  }
  return { up, path: parseId(text.slice(i)) };
}

/** `"@id"` as a whole string, or undefined when the string is a plain string. */
export function parseWholeReference(text: string): RelativeId | undefined {
  const m = WHOLE_REFERENCE.exec(text);
  if (!m) return undefined;
  return { up: countSeparators(m[1]!), path: parseId(m[2]!) };
}

export function countSeparators(prefix: string): number {
  return (prefix.match(/::|#/g) ?? []).length;
}

/**
 * The absolute path a relative id names, seen from the item at `holder`. Each separator in the prefix goes
 * one level up from the holder itself: one means "a sibling" (same container).
 */
export function absolutePath(rel: RelativeId, holder: IdPath, text: string, origin?: Origin): string[] {
  if (rel.up === 0) return rel.path;
  if (rel.up > holder.length) {
    throw new BundleError('relative_out_of_range', `"${text}" goes ${rel.up} level${rel.up === 1 ? '' : 's'} up from an item only ${holder.length} deep.`, {
      location: { id: formatId(holder), origin },
    });
  }
  return [...holder.slice(0, holder.length - rel.up), ...rel.path];
}

/** The child of a raw container at `segment`, or undefined when there is none. */
export function childOf(container: unknown, segment: string): { found: boolean; value: unknown } {
  if (Array.isArray(container)) {
    if (!isIndexSegment(segment)) return { found: false, value: undefined };
    const i = Number(segment);
    return i < container.length ? { found: true, value: container[i] } : { found: false, value: undefined };
  }
  if (container !== null && typeof container === 'object' && Object.hasOwn(container, segment)) {
    return { found: true, value: (container as Record<string, unknown>)[segment] };
  }
  return { found: false, value: undefined };
}

/** Walks `path` from `root`; found=false when any segment is missing. */
export function lookup(root: unknown, path: IdPath): { found: boolean; value: unknown } {
  let node: unknown = root;
  for (const segment of path) {
    const next = childOf(node, segment);
    if (!next.found) return next;
    node = next.value;
  }
  return { found: true, value: node };
}

/** Every id in a raw tree, in document order (for suggestions and listings). */
export function allIds(root: unknown, limit = 200_000): string[] {
  const out: string[] = [];
  const walk = (node: unknown, id: string): void => {
    if (out.length >= limit) return;
    if (Array.isArray(node)) node.forEach((v, i) => { const c = childId(id, i); out.push(c); walk(v, c); });
    else if (node !== null && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) { const c = childId(id, k); out.push(c); walk(v, c); }
    }
  };
  walk(root, '');
  return out;
}
