/**
 * What the translator knows about a reference: the Python type and `_target_` of the raw value it names,
 * looked up in the bundle's config files (the file being converted first) and its metadata (`_meta_`).
 * A `$` value is typed by translating it in turn; a reference by following it.
 */
import { parseRelative } from '../config/ids.js';
import { isPlainObject, META_KEY, TARGET_KEY } from '../config/sigils.js';
import type { PyType } from './jsonataCode.js';
import { translateExpression, type ConvertContext } from './translateExpression.js';

function lookupRaw(root: unknown, path: string[]): { found: boolean; value: unknown } {
  let value = root;
  for (const segment of path) {
    if (Array.isArray(value) && /^\d+$/.test(segment) && Number(segment) < value.length) value = value[Number(segment)];
    else if (isPlainObject(value) && Object.hasOwn(value, segment)) value = value[segment];
    else return { found: false, value: undefined };
  }
  return { found: true, value };
}

export function referenceContext(raws: unknown[], meta: unknown): ConvertContext {
  const visiting = new Set<string>();
  const find = (ref: string): { found: boolean; value: unknown } => {
    const rel = parseRelative(ref.replace(/^@/, ''));
    if (rel.up !== 0) return { found: false, value: undefined };
    if (rel.path[0] === META_KEY) return lookupRaw(meta, rel.path.slice(1));
    for (const raw of raws) {
      const hit = lookupRaw(raw, rel.path);
      if (hit.found) return hit;
    }
    return { found: false, value: undefined };
  };
  const context: ConvertContext = {
    typeOfRef(ref: string): PyType {
      if (visiting.has(ref)) return 'unknown';
      visiting.add(ref);
      try {
        return typeOfValue(find(ref));
      } finally {
        visiting.delete(ref);
      }
    },
    itemTypeOfRef(ref: string): PyType | undefined {
      const { found, value } = find(ref);
      if (!found || !Array.isArray(value) || value.length === 0) return undefined;
      const types = new Set(value.map((v) => typeOfValue({ found: true, value: v })));
      return types.size === 1 ? [...types][0] : undefined;
    },
    targetOfRef(ref: string): string | undefined {
      const { value } = find(ref);
      return isPlainObject(value) && typeof value[TARGET_KEY] === 'string' ? (value[TARGET_KEY] as string) : undefined;
    },
  };
  const typeOfValue = ({ found, value }: { found: boolean; value: unknown }): PyType => {
    if (!found) return 'unknown';
    if (typeof value === 'string') {
      if (value.startsWith('@')) return context.typeOfRef(value);
      if (value.startsWith('%')) return 'unknown';
      if (value.startsWith('$')) {
        const t = translateExpression(value.slice(1), context);
        if (t.kind === 'expression') return t.type;
        if (t.kind === 'reference') return context.typeOfRef(t.text);
        if (t.kind === 'value') return typeOfValue({ found: true, value: t.value });
        return 'unknown';
      }
      return 'string';
    }
    if (typeof value === 'number') return 'number';
    if (typeof value === 'boolean') return 'bool';
    if (value === null) return 'null';
    if (Array.isArray(value)) return 'list';
    if (isPlainObject(value)) return Object.hasOwn(value, TARGET_KEY) ? 'component' : 'dict';
    return 'unknown';
  };
  return context;
}
