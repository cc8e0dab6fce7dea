/**
 * Layering: each top-level key of each file (and each override) sets one id. A plain key replaces the
 * value (no deep merge); `+key` merges dict into dict (shallow) or appends list onto list. A nested id
 * (`a::b`, `a#b`) replaces only that leaf: its parent must exist, a dict key may be new, a list index must
 * exist.
 */
import { BundleError, type Origin } from '../errors/index.js';
import { formatId, isIndexSegment, parseId } from './ids.js';
import type { OriginTable } from './provenance.js';
import { isPlainObject, MERGE_PREFIX, setOwn } from './sigils.js';

export interface RawRoot {
  value: unknown;
}

/**
 * Applies `key: value` to the config held in `root.value` (the root may be replaced by key `""`).
 * `origin` is where the key was written.
 */
export function applyKey(root: RawRoot, key: string, value: unknown, origin: Origin, origins: OriginTable): void {
  const merge = key.startsWith(MERGE_PREFIX);
  const idText = merge ? key.slice(1) : key;
  const path = parseId(idText);
  const where = { id: formatId(path), origin };
  if (path.some((s) => s === '')) {
    throw new BundleError('invalid_key', `The key "${key}" has an empty id segment.`, { location: where });
  }
  if (path.length === 0) {
    root.value = merge ? mergeValues(root.value, value, where, origins) : value;
    origins.root = withOverrode(origin, origins.root);
    return;
  }
  let parent: unknown = root.value;
  for (let i = 0; i < path.length - 1; i++) {
    const segment = path[i]!;
    const here = formatId(path.slice(0, i + 1));
    if (Array.isArray(parent)) {
      if (!isIndexSegment(segment) || Number(segment) >= parent.length) throw notFound(here, key, where);
      parent = parent[Number(segment)];
    } else if (isPlainObject(parent)) {
      if (!Object.hasOwn(parent, segment)) throw notFound(here, key, where);
      parent = parent[segment];
    } else {
      throw notContainer(formatId(path.slice(0, i)), key, where);
    }
  }
  const last = path[path.length - 1]!;
  if (Array.isArray(parent)) {
    if (!isIndexSegment(last) || Number(last) >= parent.length) throw notFound(formatId(path), key, where);
    const i = Number(last);
    parent[i] = merge ? mergeValues(parent[i], value, where, origins) : value;
    origins.set(parent, i, withOverrode(merge ? mergeOrigin(key, origin) : origin, origins.get(parent, i)));
  } else if (isPlainObject(parent)) {
    const exists = Object.hasOwn(parent, last);
    setOwn(parent, last, merge && exists ? mergeValues(parent[last], value, where, origins) : value);
    const previous = exists ? origins.get(parent, last) : undefined;
    origins.set(parent, last, withOverrode(merge && exists ? mergeOrigin(key, origin) : origin, previous));
  } else {
    throw notContainer(formatId(path.slice(0, -1)), key, where);
  }
}

function mergeValues(current: unknown, value: unknown, where: { id: string; origin: Origin }, origins: OriginTable): unknown {
  if (current === undefined) return value;
  if (Array.isArray(current) && Array.isArray(value)) {
    value.forEach((v, i) => {
      current.push(v);
      const o = origins.get(value, i);
      if (o) origins.set(current, current.length - 1, o);
    });
    return current;
  }
  if (isPlainObject(current) && isPlainObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      const previous = Object.hasOwn(current, k) ? origins.get(current, k) : undefined;
      setOwn(current, k, v);
      const o = origins.get(value, k);
      if (o) origins.set(current, k, withOverrode(o, previous));
    }
    return current;
  }
  throw new BundleError('merge_type_mismatch', `"+${where.id}" cannot merge ${kindOf(value)} into ${kindOf(current)}.`, { location: where });
}

function kindOf(v: unknown): string {
  return Array.isArray(v) ? 'a list' : isPlainObject(v) ? 'a dict' : v === null ? 'null' : `a ${typeof v}`;
}

function mergeOrigin(key: string, origin: Origin): Origin {
  return { ...origin, source: 'merge', detail: key };
}

function withOverrode(origin: Origin, previous: Origin | undefined): Origin {
  return previous ? { ...origin, overrode: previous } : origin;
}

function notFound(id: string, key: string, where: { id: string; origin: Origin }): BundleError {
  return new BundleError('id_not_found', `"${key}" needs the id "${id}", which does not exist.`, { location: where });
}

function notContainer(id: string, key: string, where: { id: string; origin: Origin }): BundleError {
  return new BundleError('not_a_container', `"${key}" goes through "${id || '<root>'}", which is neither a dict nor a list.`, { location: where });
}
