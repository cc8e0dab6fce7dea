/**
 * ScaleIntensityd: min-max rescaling to [minv, maxv] (MONAI's `rescale_array`), over the whole volume or
 * per channel; or, when minv and maxv are both null, multiplication by (1 + factor). Arithmetic as torch on
 * float32: the min and max are float32, `max - min` is rounded to float32, each step rounds to float32.
 * A volume containing NaN has NaN as its min and max (torch's min/max propagate NaN), so every output
 * voxel is NaN, as in MONAI: replace NaN first (NanToNumd). A constant volume becomes `value * minv`
 * (MONAI's rule; 0 for the default minv = 0). Not invertible.
 */
import { BundleError } from '../../errors/index.js';
import { allocate, numel, type DType, type TypedArray, type Volume, withParts } from '../../image/Volume.js';
import type { ComponentEntry } from '../../registry/ComponentEntry.js';
import { MapTransform, mapTransformSchema, nullable, type MapTransformOptions } from '../MapTransform.js';
import { castData, dtypeSchema, parseDType } from '../utility/dtypes.js';

export interface ScaleIntensitydOptions extends MapTransformOptions {
  minv?: number | null;
  maxv?: number | null;
  factor?: number | null;
  channelWise?: boolean;
  /** output (and compute) dtype; null keeps the input's; default float32 */
  dtype?: DType | null;
}

export class ScaleIntensityd extends MapTransform {
  readonly name = 'ScaleIntensityd';
  readonly minv: number | null;
  readonly maxv: number | null;
  readonly factor: number | null;
  readonly channelWise: boolean;
  readonly dtype: DType | null;

  constructor(options: ScaleIntensitydOptions) {
    super(options);
    this.minv = options.minv === undefined ? 0 : options.minv;
    this.maxv = options.maxv === undefined ? 1 : options.maxv;
    this.factor = options.factor ?? null;
    this.channelWise = options.channelWise ?? false;
    this.dtype = options.dtype === undefined ? 'float32' : options.dtype;
    if (this.minv === null && this.maxv === null && this.factor === null) {
      throw new BundleError('invalid_arguments', 'ScaleIntensityd needs minv and maxv, or a factor.', {
        hint: 'set minv and maxv (min-max rescaling), or set both to null and give factor (multiply by 1 + factor)',
        location: { id: this.id },
      });
    }
  }

  protected override transformVolume(volume: Volume): Volume {
    const outDtype = this.dtype ?? volume.dtype;
    const wide = outDtype === 'float64' || (this.dtype === null && volume.dtype === 'float64');
    const out = allocate(wide ? 'float64' : 'float32', volume.data.length);
    if (this.minv === null && this.maxv === null) {
      const k = wide ? 1 + this.factor! : Math.fround(1 + this.factor!);
      const src = volume.data;
      for (let i = 0; i < src.length; i++) out[i] = src[i]! * k;
    } else {
      out.set(volume.data); // MONAI converts to the dtype first, then takes min and max
      const channelSize = numel(volume.shape.slice(1));
      const parts = this.channelWise ? volume.shape[0]! : 1;
      const size = this.channelWise ? channelSize : out.length;
      for (let c = 0; c < parts; c++) rescale(out.subarray(c * size, (c + 1) * size), this.minv, this.maxv, wide);
    }
    return withParts(volume, { data: castData(out, outDtype), dtype: outDtype });
  }
}

/** MONAI's rescale_array, in place on float values. */
function rescale(data: TypedArray, minv: number | null, maxv: number | null, wide: boolean): void {
  const f = wide ? (x: number) => x : Math.fround;
  let lo = Infinity;
  let hi = -Infinity;
  let nan = false;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
    if (v !== v) nan = true;
  }
  if (nan) {
    data.fill(NaN);
    return;
  }
  const n = data.length;
  if (lo === hi) {
    if (minv !== null) {
      const m = f(minv);
      for (let i = 0; i < n; i++) data[i] = data[i]! * m;
    }
    return;
  }
  const span = f(hi - lo);
  if (minv === null || maxv === null) {
    for (let i = 0; i < n; i++) data[i] = f(data[i]! - lo) / span;
    return;
  }
  const scale = f(maxv - minv);
  const offset = f(minv);
  if (wide) for (let i = 0; i < n; i++) data[i] = ((data[i]! - lo) / span) * scale + offset;
  else for (let i = 0; i < n; i++) data[i] = Math.fround(Math.fround(Math.fround(Math.fround(data[i]! - lo) / span) * scale) + offset);
}

type Args = {
  keys: string | string[];
  minv?: number | null;
  maxv?: number | null;
  factor?: number | null;
  channel_wise?: boolean;
  dtype?: string | null;
  allow_missing_keys?: boolean;
};

const nullableNumber = nullable({ type: 'number' });

export const scaleIntensitydEntry: ComponentEntry = {
  name: 'ScaleIntensityd',
  aliases: ['monai.transforms.ScaleIntensityd', 'ScaleIntensityD', 'ScaleIntensityDict'],
  description: 'Rescales intensities to [minv, maxv] by min-max (whole image or per channel), or multiplies by 1 + factor.',
  argsSchema: mapTransformSchema({
    minv: { ...nullableNumber, default: 0 },
    maxv: { ...nullableNumber, default: 1 },
    factor: { ...nullableNumber, default: null, description: 'used only when minv and maxv are both null' },
    channel_wise: { type: 'boolean', default: false },
    dtype: { oneOf: [dtypeSchema, { type: 'null' }], default: 'float32' },
  }),
  create: (args: Args, context) =>
    new ScaleIntensityd({
      keys: args.keys,
      minv: args.minv,
      maxv: args.maxv,
      factor: args.factor,
      channelWise: args.channel_wise,
      dtype: args.dtype === undefined || args.dtype === null ? args.dtype : parseDType(args.dtype, 'dtype', 'ScaleIntensityd', context.id),
      allowMissingKeys: args.allow_missing_keys,
      id: context.id,
    }),
};
