/**
 * ScaleIntensityRangePercentilesd: ScaleIntensityRanged with a_min and a_max taken from the image itself, as
 * its `lower` and `upper` percentiles (MONAI's ScaleIntensityRangePercentiles; numpy's default "linear"
 * percentile). brainchop's quantile normalisation, `(x - q05) / (q95 - q05)` without clipping, is
 * `lower: 5, upper: 95, b_min: 0, b_max: 1`. The percentiles come from a selection on a copy (linear time),
 * not a full sort. A volume holding NaN has NaN percentiles, so every output voxel is NaN (numpy's rule):
 * replace NaN first (NanToNumd). Not invertible.
 */
import { BundleError } from '../../errors/index.js';
import { allocate, numel, type DType, type TypedArray, type Volume, withParts } from '../../image/Volume.js';
import type { ComponentEntry } from '../../registry/ComponentEntry.js';
import { MapTransform, mapTransformSchema, nullable, type MapTransformOptions } from '../MapTransform.js';
import { castData, dtypeSchema, parseDType } from '../utility/dtypes.js';
import { scaleRange } from './ScaleIntensityRanged.js';

export interface ScaleIntensityRangePercentilesdOptions extends MapTransformOptions {
  /** percentiles, 0..100 */
  lower: number;
  upper: number;
  bMin: number | null;
  bMax: number | null;
  clip?: boolean;
  /** map to the same percentiles of [b_min, b_max] instead of to b_min and b_max */
  relative?: boolean;
  channelWise?: boolean;
  /** output dtype; null keeps the input's; default float32 */
  dtype?: DType | null;
}

export class ScaleIntensityRangePercentilesd extends MapTransform {
  readonly name = 'ScaleIntensityRangePercentilesd';
  readonly options: Required<Omit<ScaleIntensityRangePercentilesdOptions, keyof MapTransformOptions | 'dtype'>> & { dtype: DType | null };

  constructor(options: ScaleIntensityRangePercentilesdOptions) {
    super(options);
    for (const which of ['lower', 'upper'] as const) {
      const q = options[which];
      if (!(q >= 0 && q <= 100)) {
        throw new BundleError('invalid_arguments', `ScaleIntensityRangePercentilesd ${which} must be a percentile from 0 to 100, not ${q}.`, {
          hint: 'percentiles are in percent: 5 and 95 for the 5th and 95th',
          location: { id: this.id, path: `/${which}` },
        });
      }
    }
    if (options.relative && (options.bMin === null || options.bMax === null)) {
      throw new BundleError('invalid_arguments', 'ScaleIntensityRangePercentilesd relative needs b_min and b_max.', {
        hint: 'give b_min and b_max, or set relative to false',
        location: { id: this.id, path: '/relative' },
      });
    }
    this.options = {
      lower: options.lower,
      upper: options.upper,
      bMin: options.bMin,
      bMax: options.bMax,
      clip: options.clip ?? false,
      relative: options.relative ?? false,
      channelWise: options.channelWise ?? false,
      dtype: options.dtype === undefined ? 'float32' : options.dtype,
    };
  }

  protected override transformVolume(volume: Volume): Volume {
    const { lower, upper, clip, relative, channelWise } = this.options;
    let { bMin, bMax } = this.options;
    if (relative) [bMin, bMax] = [(bMax! - bMin!) * (lower / 100) + bMin!, (bMax! - bMin!) * (upper / 100) + bMin!];
    const wide = volume.dtype === 'float64';
    const out = allocate(wide ? 'float64' : 'float32', volume.data.length);
    const size = channelWise ? numel(volume.shape.slice(1)) : volume.data.length;
    for (let start = 0; start < volume.data.length; start += size) {
      const part = volume.data.subarray(start, start + size) as TypedArray;
      const [aMin, aMax] = percentiles(part, [lower, upper]);
      scaleRange(part, out.subarray(start, start + size) as TypedArray, aMin!, aMax!, bMin, bMax, clip, wide);
    }
    const dtype = this.options.dtype ?? volume.dtype;
    return withParts(volume, { data: castData(out, dtype), dtype });
  }
}

/**
 * numpy.percentile(values, qs) with its default linear interpolation: for q, the value at the virtual index
 * (n - 1) q / 100 of the sorted values, interpolated between its neighbours. NaN anywhere gives NaN.
 */
export function percentiles(values: ArrayLike<number>, qs: readonly number[]): number[] {
  const n = values.length;
  if (n === 0) return qs.map(() => NaN);
  // float32 values are copied as float32 (half the memory of a float64 copy; the same values)
  const work = values instanceof Float32Array ? values.slice() : Float64Array.from(values as ArrayLike<number>);
  for (let i = 0; i < n; i++) if (work[i] !== work[i]) return qs.map(() => NaN);
  return qs.map((q) => {
    const position = ((n - 1) * q) / 100;
    const below = Math.floor(position);
    const t = position - below;
    const a = select(work, below);
    if (t === 0 || below + 1 >= n) return a;
    // after select, everything from below + 1 on is >= a: its minimum is the next sorted value
    let b = Infinity;
    for (let i = below + 1; i < n; i++) if (work[i]! < b) b = work[i]!;
    // numpy's _lerp: from the nearer end, so that t = 1 gives b exactly
    return t >= 0.5 ? b - (b - a) * (1 - t) : a + (b - a) * t;
  });
}

/** The k-th smallest value; reorders `data` so that data[k] holds it, smaller before, larger after. */
function select(data: Float32Array | Float64Array, k: number): number {
  let left = 0;
  let right = data.length - 1;
  while (right > left) {
    // median of three as the pivot, then Hoare partition
    const mid = (left + right) >>> 1;
    const x = data[left]!;
    const y = data[mid]!;
    const z = data[right]!;
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = left;
    let j = right;
    while (i <= j) {
      while (data[i]! < pivot) i++;
      while (data[j]! > pivot) j--;
      if (i <= j) {
        const s = data[i]!;
        data[i] = data[j]!;
        data[j] = s;
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else return data[k]!;
  }
  return data[k]!;
}

type Args = {
  keys: string | string[];
  lower: number;
  upper: number;
  b_min: number | null;
  b_max: number | null;
  clip?: boolean;
  relative?: boolean;
  channel_wise?: boolean;
  dtype?: string | null;
  allow_missing_keys?: boolean;
};

const nullableNumber = nullable({ type: 'number' });
const percent = { type: 'number', minimum: 0, maximum: 100 };

export const scaleIntensityRangePercentilesdEntry: ComponentEntry = {
  name: 'ScaleIntensityRangePercentilesd',
  aliases: ['monai.transforms.ScaleIntensityRangePercentilesd', 'ScaleIntensityRangePercentilesD', 'ScaleIntensityRangePercentilesDict'],
  description: 'Maps intensities linearly from the image\'s [lower, upper] percentiles to [b_min, b_max], optionally clipping.',
  argsSchema: mapTransformSchema(
    {
      lower: { ...percent, description: 'percentile mapped to b_min (0..100)' },
      upper: { ...percent, description: 'percentile mapped to b_max (0..100)' },
      b_min: { ...nullableNumber, description: 'target of the lower percentile; null: no rescaling after the shift' },
      b_max: { ...nullableNumber, description: 'target of the upper percentile' },
      clip: { type: 'boolean', default: false },
      relative: { type: 'boolean', default: false, description: 'map to the same percentiles of [b_min, b_max]' },
      channel_wise: { type: 'boolean', default: false },
      dtype: { oneOf: [dtypeSchema, { type: 'null' }], default: 'float32' },
    },
    ['lower', 'upper', 'b_min', 'b_max'],
  ),
  create: (args: Args, context) =>
    new ScaleIntensityRangePercentilesd({
      keys: args.keys,
      lower: args.lower,
      upper: args.upper,
      bMin: args.b_min,
      bMax: args.b_max,
      clip: args.clip,
      relative: args.relative,
      channelWise: args.channel_wise,
      dtype: args.dtype === undefined || args.dtype === null ? args.dtype : parseDType(args.dtype, 'dtype', 'ScaleIntensityRangePercentilesd', context.id),
      allowMissingKeys: args.allow_missing_keys,
      id: context.id,
    }),
};
