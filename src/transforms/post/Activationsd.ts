/**
 * Activationsd: sigmoid or softmax (over the channel axis) per key. Computed in float64 and stored as
 * float32 (float64 for float64 volumes); torch computes in float32, so values may differ from MONAI's in
 * the last bit. MONAI's `other` (a Python callable) has no equivalent here. Not invertible. Voxel-wise
 * (see voxelwise.ts): the evaluator may apply it slab by slab as the inferer finishes them.
 */
import { BundleError } from '../../errors/index.js';
import { allocate, type DType, numel, type TypedArray, type Volume, withParts } from '../../image/Volume.js';
import type { ComponentEntry } from '../../registry/ComponentEntry.js';
import { MapTransform, mapTransformSchema, perKey, type MapTransformOptions } from '../MapTransform.js';
import type { VoxelwiseStep, VoxelwiseTransform } from '../voxelwise.js';

export interface ActivationsdOptions extends MapTransformOptions {
  /** one flag for every key or one per key */
  sigmoid?: boolean | boolean[];
  softmax?: boolean | boolean[];
}

export class Activationsd extends MapTransform implements VoxelwiseTransform {
  readonly name = 'Activationsd';
  readonly sigmoid: Map<string, boolean>;
  readonly softmax: Map<string, boolean>;

  constructor(options: ActivationsdOptions) {
    super(options);
    const sigmoid = perKey(options.sigmoid ?? false, this.keys, 'sigmoid', this.name, this.id);
    const softmax = perKey(options.softmax ?? false, this.keys, 'softmax', this.name, this.id);
    this.sigmoid = new Map(this.keys.map((k, i) => [k, sigmoid[i]!]));
    this.softmax = new Map(this.keys.map((k, i) => [k, softmax[i]!]));
    const both = this.keys.find((k) => this.sigmoid.get(k) && this.softmax.get(k));
    if (both !== undefined) {
      throw new BundleError('invalid_arguments', `Activationsd cannot apply both sigmoid and softmax to "${both}".`, {
        hint: 'choose sigmoid (independent channels) or softmax (mutually exclusive classes)',
        location: { id: this.id },
      });
    }
  }

  protected override transformVolume(volume: Volume, key: string): Volume {
    const data = this.voxelwise(key).apply(volume.data, volume.shape[0]!, numel(volume.shape.slice(1)));
    return withParts(volume, { data });
  }

  voxelwise(key: string): VoxelwiseStep {
    const sigmoid = this.sigmoid.get(key)!;
    const softmax = this.softmax.get(key)!;
    const dtype = (input: DType): DType => (input === 'float64' ? 'float64' : 'float32');
    return {
      channels: (channels) => channels,
      dtype,
      apply(src: TypedArray, channels: number, size: number): TypedArray {
        const out = allocate(dtype(src instanceof Float64Array ? 'float64' : 'float32'), src.length);
        if (sigmoid) {
          for (let i = 0; i < src.length; i++) out[i] = 1 / (1 + Math.exp(-src[i]!));
        } else if (softmax) {
          softmaxChannels(src, out, channels, size);
        } else {
          out.set(src);
        }
        return out;
      },
    };
  }
}

/** softmax over the channel axis of C-order [C, ...] data: exp(x - max) / sum, per voxel. */
function softmaxChannels(src: ArrayLike<number>, out: { [i: number]: number }, channels: number, size: number): void {
  for (let j = 0; j < size; j++) {
    let max = -Infinity;
    for (let c = 0, i = j; c < channels; c++, i += size) if (src[i]! > max || src[i] !== src[i]) max = src[i]!;
    let sum = 0;
    for (let c = 0, i = j; c < channels; c++, i += size) sum += Math.exp(src[i]! - max);
    for (let c = 0, i = j; c < channels; c++, i += size) out[i] = Math.exp(src[i]! - max) / sum;
  }
}

type Args = { keys: string | string[]; sigmoid?: boolean | boolean[]; softmax?: boolean | boolean[]; allow_missing_keys?: boolean };

const flags = { oneOf: [{ type: 'boolean' }, { type: 'array', items: { type: 'boolean' }, minItems: 1 }], default: false };

export const activationsdEntry: ComponentEntry = {
  name: 'Activationsd',
  aliases: ['monai.transforms.Activationsd', 'ActivationsD', 'ActivationsDict'],
  description: 'Applies sigmoid, or softmax over the channels, to network outputs.',
  argsSchema: mapTransformSchema({ sigmoid: flags, softmax: flags }),
  create: (args: Args, context) =>
    new Activationsd({ keys: args.keys, sigmoid: args.sigmoid, softmax: args.softmax, allowMissingKeys: args.allow_missing_keys, id: context.id }),
};
