/**
 * AsDiscreted: argmax over channels, one-hot encoding, thresholding and rounding, in MONAI's order, then
 * a cast to `dtype` (float32 by default).
 * - argmax keeps the channel axis ([C, ...] -> [1, ...]); ties go to the first channel and NaN counts as
 *   the largest value (torch.argmax).
 * - to_onehot N: one channel of integer labels 0..N-1 -> N channels of 0/1; other values are an error.
 * - threshold t: `x >= t` gives 1, else 0; NaN gives 0 (the comparison is false, as in torch).
 * - rounding "torchrounding": round half to even (torch.round).
 * Not invertible. Voxel-wise (see voxelwise.ts): the evaluator may apply it slab by slab as the inferer
 * finishes them.
 */
import { BundleError } from '../../errors/index.js';
import { numel, type DType, type TypedArray, type Volume, withParts } from '../../image/Volume.js';
import type { ComponentEntry } from '../../registry/ComponentEntry.js';
import { MapTransform, mapTransformSchema, perKey, type MapTransformOptions } from '../MapTransform.js';
import { castData, dtypeSchema, parseDType } from '../utility/dtypes.js';
import type { VoxelwiseStep, VoxelwiseTransform } from '../voxelwise.js';

interface Steps {
  argmax: boolean;
  toOnehot: number | null;
  threshold: number | null;
  rounding: 'torchrounding' | null;
}

export interface AsDiscretedOptions extends MapTransformOptions {
  argmax?: boolean | boolean[];
  toOnehot?: number | null | Array<number | null>;
  threshold?: number | null | Array<number | null>;
  rounding?: 'torchrounding' | null | Array<'torchrounding' | null>;
  dtype?: DType;
}

export class AsDiscreted extends MapTransform implements VoxelwiseTransform {
  readonly name = 'AsDiscreted';
  readonly steps: Map<string, Steps>;
  readonly dtype: DType;

  constructor(options: AsDiscretedOptions) {
    super(options);
    const each = <T>(v: T | T[], arg: string) => perKey<T>(v, this.keys, arg, this.name, this.id);
    const argmax = each(options.argmax ?? false, 'argmax');
    const toOnehot = each(options.toOnehot ?? null, 'to_onehot');
    const threshold = each(options.threshold ?? null, 'threshold');
    const rounding = each(options.rounding ?? null, 'rounding');
    this.steps = new Map(this.keys.map((k, i) => [k, { argmax: argmax[i]!, toOnehot: toOnehot[i]!, threshold: threshold[i]!, rounding: rounding[i]! }]));
    this.dtype = options.dtype ?? 'float32';
  }

  protected override transformVolume(volume: Volume, key: string): Volume {
    const step = this.voxelwise(key);
    const channels = volume.shape[0]!;
    const data = step.apply(volume.data, channels, numel(volume.shape.slice(1)));
    return withParts(volume, { data, dtype: this.dtype, shape: [step.channels(channels), ...volume.shape.slice(1)] });
  }

  voxelwise(key: string): VoxelwiseStep {
    const steps = this.steps.get(key)!;
    const dtype = this.dtype;
    const outChannels = (channels: number) => (steps.toOnehot !== null ? steps.toOnehot : steps.argmax ? 1 : channels);
    return {
      channels: outChannels,
      dtype: () => dtype,
      apply: (src: TypedArray, channels: number, size: number): TypedArray => {
        let data: TypedArray = src;
        if (steps.argmax) {
          data = argmaxChannels(data, channels, size);
          channels = 1;
        }
        if (steps.toOnehot !== null) {
          data = this.onehot(data, channels, size, steps.toOnehot, key);
          channels = steps.toOnehot;
        }
        if (steps.threshold !== null) {
          const t = steps.threshold;
          const out = new Uint8Array(data.length);
          for (let i = 0; i < data.length; i++) out[i] = data[i]! >= t ? 1 : 0;
          data = out;
        }
        if (steps.rounding !== null) {
          const out = new Float64Array(data.length);
          for (let i = 0; i < data.length; i++) out[i] = roundHalfEven(data[i]!);
          data = out;
        }
        return castData(data === src ? src.slice() : data, dtype);
      },
    };
  }

  private onehot(data: ArrayLike<number>, channels: number, size: number, classes: number, key: string) {
    if (channels !== 1) {
      throw new BundleError('invalid_data', `AsDiscreted to_onehot needs one channel of labels under "${key}" but found ${channels}.`, {
        hint: 'set argmax: true to reduce the channels first',
        location: { id: this.id, path: key },
      });
    }
    const out = new Uint8Array(classes * size);
    for (let j = 0; j < size; j++) {
      const label = Math.trunc(data[j]!);
      if (!(label >= 0 && label < classes)) {
        throw new BundleError('invalid_data', `AsDiscreted to_onehot=${classes} found the value ${data[j]} under "${key}", outside 0..${classes - 1}.`, {
          hint: 'set to_onehot to the number of classes (the largest label + 1)',
          location: { id: this.id, path: key },
        });
      }
      out[label * size + j] = 1;
    }
    return out;
  }
}

function argmaxChannels(src: ArrayLike<number>, channels: number, size: number): Int32Array {
  const out = new Int32Array(size);
  for (let j = 0; j < size; j++) {
    let best = 0;
    let max = src[j]!;
    if (max === max) {
      for (let c = 1, i = j + size; c < channels; c++, i += size) {
        const v = src[i]!;
        if (v !== v) {
          best = c;
          break;
        }
        if (v > max) {
          max = v;
          best = c;
        }
      }
    }
    out[j] = best;
  }
  return out;
}

export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

type Many<T> = T | Array<T>;
type Args = {
  keys: string | string[];
  argmax?: Many<boolean>;
  to_onehot?: Many<number | null>;
  threshold?: Many<number | null>;
  rounding?: Many<'torchrounding' | null>;
  dtype?: string;
  allow_missing_keys?: boolean;
};

const perKeySchema = (item: object) => ({ oneOf: [item, { type: 'array', items: item, minItems: 1 }] });

export const asDiscretedEntry: ComponentEntry = {
  name: 'AsDiscreted',
  aliases: ['monai.transforms.AsDiscreted', 'AsDiscreteD', 'AsDiscreteDict'],
  description: 'Discretises network outputs: argmax over channels, one-hot, threshold (x >= t), rounding.',
  argsSchema: mapTransformSchema({
    argmax: { ...perKeySchema({ type: 'boolean' }), default: false },
    to_onehot: { ...perKeySchema({ oneOf: [{ type: 'integer', minimum: 1 }, { type: 'null' }] }), default: null },
    threshold: { ...perKeySchema({ oneOf: [{ type: 'number' }, { type: 'null' }] }), default: null },
    rounding: { ...perKeySchema({ oneOf: [{ type: 'string', enum: ['torchrounding'] }, { type: 'null' }] }), default: null },
    dtype: { ...dtypeSchema, default: 'float32', description: 'output dtype (MONAI kwargs dtype)' },
  }),
  create: (args: Args, context) =>
    new AsDiscreted({
      keys: args.keys,
      argmax: args.argmax,
      toOnehot: args.to_onehot,
      threshold: args.threshold,
      rounding: args.rounding,
      dtype: args.dtype === undefined ? undefined : parseDType(args.dtype, 'dtype', 'AsDiscreted', context.id),
      allowMissingKeys: args.allow_missing_keys,
      id: context.id,
    }),
};
