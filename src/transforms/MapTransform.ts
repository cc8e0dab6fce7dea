/**
 * The shared base of dictionary transforms (MONAI's MapTransform): `keys` (one string or a list),
 * `allow_missing_keys`, and per-key access to the volumes of a sample. Subclasses implement
 * `transformVolume` (the common case: one volume in, one volume out) or override `apply` when they need
 * the whole sample.
 */
import { BundleError } from '../errors/index.js';
import { isVolume, type Volume } from '../image/Volume.js';
import type { JsonSchema } from '../registry/ComponentEntry.js';
import { closestNames } from '../util/closest.js';
import type { Sample, Transform } from './Transform.js';

export interface MapTransformOptions {
  /** MONAI's `keys`: one key or a list of keys */
  keys: string | readonly string[];
  /** MONAI's `allow_missing_keys`: skip keys absent from the sample instead of failing */
  allowMissingKeys?: boolean;
  /** config id of the component, for error locations */
  id?: string;
}

/** MONAI's `keys` argument as a list; an empty list or an empty key is an error. */
export function normalizeKeys(keys: string | readonly string[], transform: string, id?: string): string[] {
  const list = typeof keys === 'string' ? [keys] : [...keys];
  if (list.length === 0 || list.some((k) => typeof k !== 'string' || k === '')) {
    throw new BundleError('invalid_arguments', `${transform} needs at least one non-empty key in "keys".`, {
      hint: 'write keys as a string ("image") or a list of strings (["image", "label"])',
      location: { id, path: '/keys' },
    });
  }
  return list;
}

/**
 * MONAI's `ensure_tuple_rep`: an argument given once applies to every key, a list gives one value per key.
 * `isList` says whether `value` is the per-key list form (needed when a single value is itself an array).
 */
export function perKey<T>(
  value: T | readonly T[],
  keys: readonly string[],
  argument: string,
  transform: string,
  id?: string,
  isList: (v: T | readonly T[]) => v is readonly T[] = Array.isArray as (v: T | readonly T[]) => v is readonly T[],
): T[] {
  if (!isList(value)) return keys.map(() => value as T);
  if (value.length === keys.length) return [...value];
  if (value.length === 1) return keys.map(() => value[0]!);
  throw new BundleError(
    'invalid_arguments',
    `${transform} got ${value.length} values for "${argument}" but has ${keys.length} keys.`,
    { hint: `give one value for every key, or a single value for all of them`, location: { id, path: `/${argument}` } },
  );
}

/** `schema` or null (MONAI's Optional arguments). */
export function nullable(schema: JsonSchema): JsonSchema {
  return { oneOf: [schema, { type: 'null' }] };
}

/** JSON Schema properties every dictionary transform accepts. */
export const mapTransformProperties: Record<string, JsonSchema> = {
  keys: {
    description: 'keys of the data item to transform',
    oneOf: [{ type: 'string', minLength: 1 }, { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1 }],
  },
  allow_missing_keys: { type: 'boolean', default: false, description: 'skip keys absent from the data item' },
};

/**
 * The argument schema of a dictionary transform: `keys` (required), `allow_missing_keys`, and `properties`.
 * Unknown arguments are rejected (additionalProperties false) so that typos are caught.
 */
export function mapTransformSchema(
  properties: Record<string, JsonSchema>,
  required: string[] = [],
  description?: string,
): JsonSchema {
  return {
    type: 'object',
    ...(description ? { description } : {}),
    properties: { ...mapTransformProperties, ...properties },
    required: ['keys', ...required.filter((r) => r !== 'keys')],
    additionalProperties: false,
  };
}

export abstract class MapTransform implements Transform {
  abstract readonly name: string;
  readonly keys: string[];
  readonly allowMissingKeys: boolean;
  readonly id: string | undefined;

  constructor(options: MapTransformOptions) {
    this.id = options.id;
    this.keys = normalizeKeys(options.keys, new.target.name, options.id);
    this.allowMissingKeys = options.allowMissingKeys ?? false;
  }

  /**
   * The keys of `sample` this transform works on, in `keys` order. An absent key is skipped when
   * allow_missing_keys is set, otherwise it is a `missing_key` error naming the keys that do exist.
   */
  presentKeys(sample: Sample): string[] {
    const present: string[] = [];
    for (const key of this.keys) {
      if (key in sample && sample[key] !== undefined) present.push(key);
      else if (!this.allowMissingKeys) throw this.missingKey(sample, key);
    }
    return present;
  }

  /** The volume stored under `key`; a missing key or a value that is not a volume is a clear error. */
  volumeAt(sample: Sample, key: string): Volume {
    if (!(key in sample) || sample[key] === undefined) throw this.missingKey(sample, key);
    const value = sample[key];
    if (!isVolume(value)) {
      throw new BundleError('invalid_data', `${this.name} expects an image volume under key "${key}" but found ${describe(value)}.`, {
        hint: `load the data first (LoadImaged) or remove "${key}" from the keys of ${this.name}`,
        location: { id: this.id, path: key },
      });
    }
    return value;
  }

  missingKey(sample: Sample, key: string): BundleError {
    const available = Object.keys(sample);
    return new BundleError(
      'missing_key',
      `${this.name} needs key "${key}" but the data item has ${available.length ? `only ${available.map((k) => `"${k}"`).join(', ')}` : 'no keys'}.`,
      { location: { id: this.id, path: key }, candidates: closestNames(key, available) },
    );
  }

  /** One volume in, one volume out; `key` and `sample` for transforms whose behaviour depends on them. */
  protected transformVolume(_volume: Volume, _key: string, _sample: Sample): Volume | Promise<Volume> {
    throw new Error(`${this.name} must implement transformVolume or override apply`);
  }

  /** Applies `transformVolume` to every present key, on a shallow copy of the sample. */
  async apply(sample: Sample): Promise<Sample> {
    const out: Sample = { ...sample };
    for (const key of this.presentKeys(sample)) out[key] = await this.transformVolume(this.volumeAt(sample, key), key, sample);
    return out;
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a bare ${value.constructor.name} without shape or affine`;
  if (typeof value === 'object') return 'an object that is not a volume';
  return `a ${typeof value} (${JSON.stringify(value)?.slice(0, 40)})`;
}
