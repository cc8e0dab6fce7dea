/**
 * NormalizeIntensityd: `(x - subtrahend) / divisor`, with the mean and the population standard deviation
 * of the image (or of its non-zero voxels, `nonzero`; or of each channel, `channel_wise`) where they are not
 * given, as MONAI's NormalizeIntensity (monai/transforms/intensity/array.py).
 *
 * Arithmetic as torch on float32: the image is converted to float32, the mean and std are float32 values
 * (we accumulate in float64 and round once; torch's float32 cascade sum can differ in the last bit, so
 * results agree with MONAI within about 1e-6 relative, not bit for bit), each voxel is
 * `fround(fround(x - sub) / div)`. A divisor of 0 (computed or given) becomes 1. With `nonzero`, zero
 * voxels stay 0 and an image (or channel) with no non-zero voxel is returned unchanged. The result is cast
 * to `dtype` (default float32; null keeps the input's dtype, truncating to integers as torch does).
 */
import { BundleError } from '../../errors/index.js';
import { numel, type DType, type Volume, withParts } from '../../image/Volume.js';
import type { ComponentEntry } from '../../registry/ComponentEntry.js';
import { MapTransform, mapTransformSchema, nullable, type MapTransformOptions } from '../MapTransform.js';
import { castData, dtypeSchema, parseDType } from '../utility/dtypes.js';

export interface NormalizeIntensitydOptions extends MapTransformOptions {
  /** one value, or (channel_wise) one per channel; null: the mean */
  subtrahend?: number | readonly number[] | null;
  /** one value, or (channel_wise) one per channel; null: the standard deviation */
  divisor?: number | readonly number[] | null;
  nonzero?: boolean;
  channelWise?: boolean;
  /** output dtype; null keeps the input's; default float32 */
  dtype?: DType | null;
}

export class NormalizeIntensityd extends MapTransform {
  readonly name = 'NormalizeIntensityd';
  readonly subtrahend: number | readonly number[] | null;
  readonly divisor: number | readonly number[] | null;
  readonly nonzero: boolean;
  readonly channelWise: boolean;
  readonly dtype: DType | null;

  constructor(options: NormalizeIntensitydOptions) {
    super(options);
    this.subtrahend = options.subtrahend ?? null;
    this.divisor = options.divisor ?? null;
    this.nonzero = options.nonzero ?? false;
    this.channelWise = options.channelWise ?? false;
    this.dtype = options.dtype === undefined ? 'float32' : options.dtype;
    for (const [name, value] of [['subtrahend', this.subtrahend], ['divisor', this.divisor]] as const) {
      if (Array.isArray(value) && !this.channelWise) {
        throw new BundleError('invalid_arguments', `NormalizeIntensityd got a list for "${name}" without channel_wise.`, {
          hint: `give one number, or set channel_wise: true to give one ${name} per channel`,
          location: { id: this.id, path: `/${name}` },
        });
      }
    }
  }

  protected override transformVolume(volume: Volume, key: string): Volume {
    const channels = volume.shape[0]!;
    const out = new Float32Array(volume.data.length);
    out.set(volume.data);
    if (this.channelWise) {
      const size = numel(volume.shape.slice(1));
      for (let c = 0; c < channels; c++) {
        const sub = this.perChannel(this.subtrahend, 'subtrahend', c, channels, key);
        const div = this.perChannel(this.divisor, 'divisor', c, channels, key);
        normalize(out.subarray(c * size, (c + 1) * size), sub, div, this.nonzero);
      }
    } else {
      normalize(out, this.subtrahend as number | null, this.divisor as number | null, this.nonzero);
    }
    const outDtype = this.dtype ?? volume.dtype;
    return withParts(volume, { data: castData(out, outDtype), dtype: outDtype });
  }

  private perChannel(value: number | readonly number[] | null, name: string, c: number, channels: number, key: string): number | null {
    if (value === null || typeof value === 'number') return value;
    if (value.length !== channels) {
      throw new BundleError('invalid_data', `NormalizeIntensityd: "${key}" has ${channels} channels, but ${name} has ${value.length} values.`, {
        hint: `give one ${name} per channel of the image`,
        location: { id: this.id, path: `/${name}` },
      });
    }
    return value[c]!;
  }
}

/** MONAI's `_normalize`, in place on float32 values. */
function normalize(data: Float32Array, subtrahend: number | null, divisor: number | null, nonzero: boolean): void {
  const selected = (v: number) => !nonzero || v !== 0;
  let count = 0;
  let sum = 0;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (selected(v)) {
      count++;
      sum += v;
    }
  }
  if (count === 0) return; // nonzero and nothing selected: unchanged; an empty image has nothing to do
  const mean = sum / count;
  let sub = subtrahend ?? Math.fround(mean);
  let div = divisor;
  if (div === null) {
    let squares = 0;
    for (let i = 0; i < data.length; i++) {
      const v = data[i]!;
      if (selected(v)) squares += (v - mean) * (v - mean);
    }
    div = Math.fround(Math.sqrt(squares / count));
  }
  if (div === 0) div = 1;
  sub = Math.fround(sub);
  div = Math.fround(div);
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (selected(v)) data[i] = Math.fround(v - sub) / div;
  }
}

type Args = {
  keys: string | string[];
  subtrahend?: number | number[] | null;
  divisor?: number | number[] | null;
  nonzero?: boolean;
  channel_wise?: boolean;
  dtype?: string | null;
  allow_missing_keys?: boolean;
};

const numberOrList = nullable({ oneOf: [{ type: 'number' }, { type: 'array', items: { type: 'number' }, minItems: 1 }] });

export const normalizeIntensitydEntry: ComponentEntry<Args, NormalizeIntensityd> = {
  name: 'NormalizeIntensityd',
  aliases: ['monai.transforms.NormalizeIntensityd', 'NormalizeIntensityD', 'NormalizeIntensityDict'],
  description: '(x - subtrahend) / divisor; by default the mean and standard deviation of the image (or its non-zero voxels, or each channel).',
  argsSchema: mapTransformSchema({
    subtrahend: { ...numberOrList, default: null, description: 'default: the mean; a list needs channel_wise (one per channel)' },
    divisor: { ...numberOrList, default: null, description: 'default: the standard deviation (population); 0 becomes 1' },
    nonzero: { type: 'boolean', default: false, description: 'statistics and normalisation over the non-zero voxels only; zeros stay 0' },
    channel_wise: { type: 'boolean', default: false, description: 'statistics per channel' },
    dtype: { oneOf: [dtypeSchema, { type: 'null' }], default: 'float32', description: 'output dtype; null keeps the input dtype' },
  }),
  create: (args, context) =>
    new NormalizeIntensityd({
      keys: args.keys,
      subtrahend: args.subtrahend,
      divisor: args.divisor,
      nonzero: args.nonzero,
      channelWise: args.channel_wise,
      dtype: args.dtype === undefined || args.dtype === null ? args.dtype : parseDType(args.dtype, 'dtype', 'NormalizeIntensityd', context.id),
      allowMissingKeys: args.allow_missing_keys,
      id: context.id,
    }),
};
