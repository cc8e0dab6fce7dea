/**
 * CropForegroundd: crop every key to the bounding box of the foreground of `source_key`, plus a margin,
 * as MONAI's CropForegroundd (monai/transforms/croppad/array.py CropForeground, transforms/utils.py
 * generate_spatial_bounding_box).
 *
 * Differences from MONAI, on purpose:
 * - MONAI's `select_fn` is a Python callable, which a JSON bundle cannot hold; the foreground here is
 *   `value > threshold` (default 0, MONAI's default `is_positive`) on any selected channel.
 * - An image with no foreground voxel is an error; MONAI crops it to an empty box and fails later.
 * Where the box reaches outside the image (allow_smaller false, or k_divisible), the outside is padded with
 * `mode` per key, as MONAI's crop-then-pad: constant (0), edge/replicate, reflect, symmetric, wrap/circular,
 * minimum, maximum, mean, median (numpy's statistic modes, one axis after the other). numpy's linear_ramp
 * and empty are not offered. The inverse pads back with 0, as MONAI's does.
 */
import { BundleError } from '../../errors/index.js';
import { allClose, multiply } from '../../image/geometry.js';
import { withParts, type Mat4, type Volume } from '../../image/Volume.js';
import type { ComponentEntry } from '../../registry/ComponentEntry.js';
import { MapTransform, mapTransformSchema, perKey, type MapTransformOptions } from '../MapTransform.js';
import { invertKeys, withOperation, type InverseOptions } from '../invertible.js';
import type { Sample } from '../Transform.js';
import { extractBoxWithMode, PAD_MODES, type PadMode } from './pad.js';

export interface ForegroundBoxOptions {
  threshold?: number;
  channelIndices?: readonly number[];
  margin?: number | readonly number[];
  allowSmaller?: boolean;
  kDivisible?: number | readonly number[];
}

/**
 * The inclusive-min / exclusive-max index box of voxels > threshold (any selected channel), or undefined
 * when there is none. One pass; each row is scanned from both ends.
 */
export function foregroundExtent(volume: Volume, threshold = 0, channelIndices?: readonly number[]): { min: number[]; max: number[] } | undefined {
  const [channels, nx, ny, nz] = volume.shape as [number, number, number, number];
  const data = volume.data;
  const min = [Infinity, Infinity, Infinity];
  const max = [-1, -1, -1];
  for (const c of channelIndices ?? [...Array(channels).keys()]) {
    for (let a = 0; a < nx; a++) {
      for (let b = 0; b < ny; b++) {
        const row = ((c * nx + a) * ny + b) * nz;
        let first = 0;
        while (first < nz && !(data[row + first]! > threshold)) first++;
        if (first === nz) continue;
        let last = nz - 1;
        while (!(data[row + last]! > threshold)) last--;
        if (a < min[0]!) min[0] = a;
        if (a > max[0]!) max[0] = a;
        if (b < min[1]!) min[1] = b;
        if (b > max[1]!) max[1] = b;
        if (first < min[2]!) min[2] = first;
        if (last > max[2]!) max[2] = last;
      }
    }
  }
  if (max[0]! < 0) return undefined;
  return { min, max: max.map((m) => m + 1) };
}

/** The crop box MONAI's CropForeground computes: foreground extent, margin, clamping, k-divisibility. */
export function foregroundBox(extent: { min: number[]; max: number[] }, spatialShape: readonly number[], options: ForegroundBoxOptions): { start: number[]; end: number[] } {
  const perAxis = (v: number | readonly number[] | undefined, fallback: number) =>
    [0, 1, 2].map((d) => (v === undefined ? fallback : typeof v === 'number' ? v : (v[d] ?? v[v.length - 1]!)));
  const margin = perAxis(options.margin, 0);
  const k = perAxis(options.kDivisible, 1);
  const start: number[] = [];
  const end: number[] = [];
  for (let d = 0; d < 3; d++) {
    let s = extent.min[d]! - margin[d]!;
    let e = extent.max[d]! + margin[d]!;
    if (options.allowSmaller) {
      s = Math.max(s, 0);
      e = Math.min(e, spatialShape[d]!);
    }
    const size = e - s;
    const divisible = k[d]! > 0 ? Math.ceil(size / k[d]!) * k[d]! : size;
    s -= Math.floor((divisible - size) / 2);
    start.push(s);
    end.push(s + divisible);
  }
  return { start, end };
}

/** `volume` cut (and, outside the image, padded with `mode`) to the box; the affine moves its origin to `start`. */
export function cropVolume(volume: Volume, start: readonly number[], end: readonly number[], mode: PadMode = 'constant'): Volume {
  const data = extractBoxWithMode(volume.data, volume.shape, start, end, mode);
  const affine = multiply(volume.affine, translation(start));
  return withParts(volume, { data, shape: [volume.shape[0]!, ...end.map((e, d) => e - start[d]!)], affine });
}

function translation(t: readonly number[]): Mat4 {
  return [
    [1, 0, 0, t[0]!],
    [0, 1, 0, t[1]!],
    [0, 0, 1, t[2]!],
    [0, 0, 0, 1],
  ];
}

export interface CropForegrounddOptions extends MapTransformOptions, ForegroundBoxOptions {
  sourceKey: string;
  startCoordKey?: string | null;
  endCoordKey?: string | null;
  /** padding outside the image: one mode for every key or one per key; default constant */
  mode?: PadMode | readonly PadMode[];
}

export class CropForegroundd extends MapTransform {
  readonly name = 'CropForegroundd';
  readonly options: CropForegrounddOptions;
  readonly modes: PadMode[];

  constructor(options: CropForegrounddOptions) {
    super(options);
    this.modes = perKey<PadMode>(options.mode ?? 'constant', this.keys, 'mode', this.name, this.id);
    const margins = [options.margin ?? 0].flat();
    if (margins.some((m) => m < 0)) {
      throw new BundleError('invalid_arguments', `CropForegroundd margin must not be negative, got ${JSON.stringify(options.margin)}.`, {
        location: { id: this.id, path: '/margin' },
      });
    }
    // MONAI's defaults; null turns the record off
    this.options = {
      ...options,
      startCoordKey: options.startCoordKey === undefined ? 'foreground_start_coord' : options.startCoordKey,
      endCoordKey: options.endCoordKey === undefined ? 'foreground_end_coord' : options.endCoordKey,
    };
  }

  override async apply(sample: Sample): Promise<Sample> {
    const { sourceKey } = this.options;
    const source = this.volumeAt(sample, sourceKey);
    const threshold = this.options.threshold ?? 0;
    const extent = foregroundExtent(source, threshold, this.options.channelIndices);
    if (!extent) {
      throw new BundleError('invalid_data', `CropForegroundd found no voxel above ${threshold} in "${sourceKey}", so there is no foreground to crop to.`, {
        hint: 'check the image (is it empty or already scaled?) or lower `threshold`; MONAI would crop to an empty image here',
        location: { id: this.id, path: sourceKey },
      });
    }
    const { start, end } = foregroundBox(extent, source.shape.slice(1), this.options);
    const out: Sample = { ...sample };
    for (const key of this.presentKeys(sample)) {
      const volume = this.volumeAt(sample, key);
      out[key] = withOperation(cropVolume(volume, start, end, this.modes[this.keys.indexOf(key)]), {
        transform: this.name,
        info: { start, end, origSpatialShape: volume.shape.slice(1), originalAffine: volume.affine.map((r) => r.slice()) },
      });
    }
    if (this.options.startCoordKey != null) out[this.options.startCoordKey] = start;
    if (this.options.endCoordKey != null) out[this.options.endCoordKey] = end;
    return out;
  }

  /** Pads back to the recorded shape with 0 (MONAI's inverse: constant padding), restoring the affine. */
  inverse(sample: Sample, options: InverseOptions = {}): Sample {
    return invertKeys<{ start: number[]; origSpatialShape: number[]; originalAffine: Mat4 }>(this, sample, options, (info, volume) => {
      const back = cropVolume(volume, info.start.map((s) => -s), info.origSpatialShape.map((n, d) => n - info.start[d]!));
      // the recorded affine, when the arithmetic only added float noise to it
      if (allClose(back.affine, info.originalAffine, 1e-9, 1e-12)) back.affine = info.originalAffine.map((r) => r.slice());
      return back;
    });
  }
}

interface CropForegrounddArgs {
  keys: string | string[];
  source_key: string;
  threshold?: number;
  select_fn?: unknown;
  channel_indices?: number | number[] | null;
  margin?: number | number[];
  allow_smaller?: boolean;
  k_divisible?: number | number[];
  mode?: PadMode | PadMode[];
  start_coord_key?: string | null;
  end_coord_key?: string | null;
  allow_missing_keys?: boolean;
}

const intOrList = { oneOf: [{ type: 'integer', minimum: 0 }, { type: 'array', items: { type: 'integer', minimum: 0 }, minItems: 1 }] };

export const cropForegrounddEntry: ComponentEntry<CropForegrounddArgs, CropForegroundd> = {
  name: 'CropForegroundd',
  aliases: ['monai.transforms.CropForegroundd', 'monai.transforms.croppad.dictionary.CropForegroundd', 'CropForegroundD', 'CropForegroundDict'],
  description: 'Crop to the bounding box of the voxels of source_key above threshold (default 0), plus margin, as MONAI CropForegroundd.',
  argsSchema: mapTransformSchema(
    {
      source_key: { type: 'string', minLength: 1, description: 'key of the image whose foreground gives the box' },
      threshold: { type: 'number', default: 0, description: 'foreground is value > threshold (replaces MONAI select_fn)' },
      select_fn: { description: 'not supported (a Python callable); use threshold' },
      channel_indices: { oneOf: [{ type: 'integer', minimum: 0 }, { type: 'array', items: { type: 'integer', minimum: 0 } }, { type: 'null' }] },
      margin: { ...intOrList, default: 0 },
      allow_smaller: { type: 'boolean', default: false, description: 'clamp the box to the image instead of padding' },
      k_divisible: { oneOf: [{ type: 'integer', minimum: 1 }, { type: 'array', items: { type: 'integer', minimum: 1 }, minItems: 1 }], default: 1 },
      mode: {
        oneOf: [
          { type: 'string', enum: [...PAD_MODES] },
          { type: 'array', items: { type: 'string', enum: [...PAD_MODES] }, minItems: 1 },
        ],
        default: 'constant',
        description: 'padding where the box reaches outside the image (one mode, or one per key): constant is 0; numpy/torch modes as MONAI',
      },
      start_coord_key: { type: ['string', 'null'], default: 'foreground_start_coord' },
      end_coord_key: { type: ['string', 'null'], default: 'foreground_end_coord' },
    },
    ['source_key'],
  ),
  create(args, context) {
    if (args.select_fn !== undefined) {
      throw new BundleError('invalid_arguments', 'CropForegroundd select_fn (a Python callable) is not supported.', {
        hint: 'remove select_fn and write "threshold": T to select voxels with value > T (default 0, as MONAI is_positive)',
        location: { id: context.id, path: '/select_fn' },
      });
    }
    return new CropForegroundd({
      id: context.id,
      keys: args.keys,
      allowMissingKeys: args.allow_missing_keys,
      sourceKey: args.source_key,
      threshold: args.threshold,
      channelIndices: args.channel_indices == null ? undefined : [args.channel_indices].flat(),
      margin: args.margin,
      allowSmaller: args.allow_smaller,
      kDivisible: args.k_divisible,
      startCoordKey: args.start_coord_key,
      endCoordKey: args.end_coord_key,
      mode: args.mode,
    });
  },
};
