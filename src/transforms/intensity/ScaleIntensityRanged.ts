/**
 * ScaleIntensityRanged: `(x - a_min) / (a_max - a_min)`, then `* (b_max - b_min) + b_min`, then optionally
 * clipped to [b_min, b_max]. The arithmetic follows torch on a float32 tensor with Python scalars: every
 * scalar is rounded to float32 once (`a_max - a_min` is taken in float64 first) and every step is rounded
 * to float32, which reproduces MONAI bit for bit. float64 volumes are computed in float64. Not invertible.
 */
import { allocate, type DType, type TypedArray, type Volume, withParts } from '../../image/Volume.js';
import type { ComponentEntry } from '../../registry/ComponentEntry.js';
import { MapTransform, mapTransformSchema, nullable, type MapTransformOptions } from '../MapTransform.js';
import { castData, dtypeSchema, parseDType } from '../utility/dtypes.js';

export interface ScaleIntensityRangedOptions extends MapTransformOptions {
  aMin: number;
  aMax: number;
  bMin?: number | null;
  bMax?: number | null;
  clip?: boolean;
  /** output dtype; null keeps the input's; default float32 */
  dtype?: DType | null;
}

export class ScaleIntensityRanged extends MapTransform {
  readonly name = 'ScaleIntensityRanged';
  readonly aMin: number;
  readonly aMax: number;
  readonly bMin: number | null;
  readonly bMax: number | null;
  readonly clip: boolean;
  readonly dtype: DType | null;

  constructor(options: ScaleIntensityRangedOptions) {
    super(options);
    this.aMin = options.aMin;
    this.aMax = options.aMax;
    this.bMin = options.bMin ?? null;
    this.bMax = options.bMax ?? null;
    this.clip = options.clip ?? false;
    this.dtype = options.dtype === undefined ? 'float32' : options.dtype;
  }

  protected override transformVolume(volume: Volume): Volume {
    const wide = volume.dtype === 'float64';
    const out = allocate(wide ? 'float64' : 'float32', volume.data.length);
    scaleRange(volume.data, out, this.aMin, this.aMax, this.bMin, this.bMax, this.clip, wide);
    const dtype = this.dtype ?? volume.dtype;
    return withParts(volume, { data: castData(out, dtype), dtype });
  }
}

/** The kernel, on flat arrays; `wide` computes in float64, otherwise every step is rounded to float32. */
export function scaleRange(
  src: TypedArray,
  out: TypedArray,
  aMin: number,
  aMax: number,
  bMin: number | null,
  bMax: number | null,
  clip: boolean,
  wide: boolean,
): void {
  const r = wide ? (x: number) => x : Math.fround;
  const n = src.length;
  const f = Math.fround;
  if (aMax - aMin === 0) {
    // MONAI's degenerate range: a shift only, no scaling and no clipping
    const a = r(aMin);
    const b = bMin === null ? 0 : r(bMin);
    if (wide) for (let i = 0; i < n; i++) out[i] = src[i]! - a + b;
    else for (let i = 0; i < n; i++) out[i] = f(src[i]! - a) + b;
    return;
  }
  const a = r(aMin);
  const range = r(aMax - aMin);
  const rescale = bMin !== null && bMax !== null;
  const scale = rescale ? r(bMax - bMin) : 1;
  const offset = rescale ? r(bMin) : 0;
  const lo = clip && bMin !== null ? r(bMin) : -Infinity;
  const hi = clip && bMax !== null ? r(bMax) : Infinity;
  // NaN fails both comparisons and stays NaN, as torch.clamp leaves it.
  if (wide) {
    for (let i = 0; i < n; i++) {
      let v = (src[i]! - a) / range;
      if (rescale) v = v * scale + offset;
      out[i] = v < lo ? lo : v > hi ? hi : v;
    }
    return;
  }
  // float32 arithmetic: each step of a float32 tensor op rounds to float32; a float64 operation on two
  // float32 values rounded once to float32 gives the correctly rounded float32 result.
  if (rescale) {
    for (let i = 0; i < n; i++) {
      const v = f(f(f(f(src[i]! - a) / range) * scale) + offset);
      out[i] = v < lo ? lo : v > hi ? hi : v;
    }
  } else {
    for (let i = 0; i < n; i++) {
      const v = f(f(src[i]! - a) / range);
      out[i] = v < lo ? lo : v > hi ? hi : v;
    }
  }
}

type Args = {
  keys: string | string[];
  a_min: number;
  a_max: number;
  b_min?: number | null;
  b_max?: number | null;
  clip?: boolean;
  dtype?: string | null;
  allow_missing_keys?: boolean;
};

const nullableNumber = nullable({ type: 'number' });

export const scaleIntensityRangedEntry: ComponentEntry = {
  name: 'ScaleIntensityRanged',
  aliases: ['monai.transforms.ScaleIntensityRanged', 'ScaleIntensityRangeD', 'ScaleIntensityRangeDict'],
  description: 'Maps intensities linearly from [a_min, a_max] to [b_min, b_max], optionally clipping.',
  argsSchema: mapTransformSchema(
    {
      a_min: { type: 'number', description: 'intensity mapped to b_min' },
      a_max: { type: 'number', description: 'intensity mapped to b_max' },
      b_min: { ...nullableNumber, default: null },
      b_max: { ...nullableNumber, default: null },
      clip: { type: 'boolean', default: false },
      dtype: { oneOf: [dtypeSchema, { type: 'null' }], default: 'float32' },
    },
    ['a_min', 'a_max'],
  ),
  create: (args: Args, context) => {
    if (args.a_max - args.a_min === 0) context.logger.warn(`${context.id}: ScaleIntensityRanged has a_min == a_max; intensities are only shifted`);
    return new ScaleIntensityRanged({
      keys: args.keys,
      aMin: args.a_min,
      aMax: args.a_max,
      bMin: args.b_min,
      bMax: args.b_max,
      clip: args.clip,
      dtype: args.dtype === undefined || args.dtype === null ? args.dtype : parseDType(args.dtype, 'dtype', 'ScaleIntensityRanged', context.id),
      allowMissingKeys: args.allow_missing_keys,
      id: context.id,
    });
  },
};
