/**
 * MapLabelValued: replaces label values `orig_labels[i]` by `target_labels[i]`, as MONAI's MapLabelValue:
 * every match is taken on the input values (so `[1, 2] -> [2, 3]` maps 1 to 2 and 2 to 3, not 1 to 3),
 * values not listed are kept, and the result is cast to `dtype` (default float32). The named, declared
 * form of the label-mapping `Lambdad` MONAI bundles write.
 */
import { BundleError } from '../../errors/index.js';
import { allocate, type DType, type Volume, withParts } from '../../image/Volume.js';
import type { ComponentEntry } from '../../registry/ComponentEntry.js';
import { MapTransform, mapTransformSchema, type MapTransformOptions } from '../MapTransform.js';
import { dtypeSchema, parseDType } from './dtypes.js';

export interface MapLabelValuedOptions extends MapTransformOptions {
  origLabels: readonly number[];
  targetLabels: readonly number[];
  dtype?: DType;
}

export class MapLabelValued extends MapTransform {
  readonly name = 'MapLabelValued';
  readonly mapping: Map<number, number>;
  readonly dtype: DType;

  constructor(options: MapLabelValuedOptions) {
    super(options);
    if (options.origLabels.length !== options.targetLabels.length) {
      throw new BundleError('invalid_arguments', `MapLabelValued got ${options.origLabels.length} orig_labels but ${options.targetLabels.length} target_labels.`, {
        hint: 'give one target label for every original label',
        location: { id: this.id, path: '/target_labels' },
      });
    }
    // MONAI applies the pairs in order on the input; a repeated original label ends with its last target
    this.mapping = new Map(options.origLabels.map((o, i) => [o, options.targetLabels[i]!]));
    this.dtype = options.dtype ?? 'float32';
  }

  protected override transformVolume(volume: Volume): Volume {
    const src = volume.data;
    const out = allocate(this.dtype, src.length);
    out.set(src);
    for (let i = 0; i < src.length; i++) {
      const t = this.mapping.get(src[i]!);
      if (t !== undefined) out[i] = t;
    }
    return withParts(volume, { data: out, dtype: this.dtype });
  }
}

interface Args {
  keys: string | string[];
  orig_labels: number[];
  target_labels: number[];
  dtype?: string;
  allow_missing_keys?: boolean;
}

export const mapLabelValuedEntry: ComponentEntry<Args, MapLabelValued> = {
  name: 'MapLabelValued',
  aliases: ['monai.transforms.MapLabelValued', 'MapLabelValueD', 'MapLabelValueDict'],
  description: 'Maps label values orig_labels[i] to target_labels[i] (others kept), as MONAI MapLabelValued.',
  argsSchema: mapTransformSchema(
    {
      orig_labels: { type: 'array', items: { type: 'number' }, description: 'label values to replace' },
      target_labels: { type: 'array', items: { type: 'number' }, description: 'their new values, in the same order' },
      dtype: { ...dtypeSchema, default: 'float32' },
    },
    ['orig_labels', 'target_labels'],
  ),
  create: (args, context) =>
    new MapLabelValued({
      keys: args.keys,
      origLabels: args.orig_labels,
      targetLabels: args.target_labels,
      dtype: args.dtype === undefined ? undefined : parseDType(args.dtype, 'dtype', 'MapLabelValued', context.id),
      allowMissingKeys: args.allow_missing_keys,
      id: context.id,
    }),
};
