/** CastToTyped: casts each key's volume to a dtype (one for all keys, or one per key). */
import type { DType, Volume } from '../../image/Volume.js';
import type { ComponentEntry } from '../../registry/ComponentEntry.js';
import { MapTransform, mapTransformSchema, perKey, type MapTransformOptions } from '../MapTransform.js';
import { castVolume, dtypeSchema, parseDType } from './dtypes.js';

export interface CastToTypedOptions extends MapTransformOptions {
  /** one dtype for every key, or one per key; default float32 */
  dtype?: DType | DType[];
}

export class CastToTyped extends MapTransform {
  readonly name = 'CastToTyped';
  readonly dtypes: Map<string, DType>;

  constructor(options: CastToTypedOptions) {
    super(options);
    const dtypes = perKey<DType>(options.dtype ?? 'float32', this.keys, 'dtype', this.name, this.id);
    this.dtypes = new Map(this.keys.map((k, i) => [k, dtypes[i]!]));
  }

  protected override transformVolume(volume: Volume, key: string): Volume {
    return castVolume(volume, this.dtypes.get(key)!);
  }
}

export const castToTypedEntry: ComponentEntry = {
  name: 'CastToTyped',
  aliases: ['monai.transforms.CastToTyped', 'CastToTypeD', 'CastToTypeDict'],
  description: 'Casts images to a dtype (float to integer truncates toward zero).',
  argsSchema: mapTransformSchema({
    dtype: { oneOf: [dtypeSchema, { type: 'array', items: dtypeSchema, minItems: 1 }], default: 'float32' },
  }),
  create: (args: { keys: string | string[]; dtype?: string | string[]; allow_missing_keys?: boolean }, context) => {
    const parse = (d: string) => parseDType(d, 'dtype', 'CastToTyped', context.id);
    const dtype = args.dtype === undefined ? undefined : Array.isArray(args.dtype) ? args.dtype.map(parse) : parse(args.dtype);
    return new CastToTyped({ keys: args.keys, dtype, allowMissingKeys: args.allow_missing_keys, id: context.id });
  },
};
