/**
 * Resized: resize to `spatial_size` with torch's interpolate, as MONAI's Resize (monai/transforms/spatial
 * array.py and functional.py resize):
 * - size_mode "all": one size per spatial axis, a non-positive entry keeps that axis (-1); "longest": one
 *   int, the longest axis becomes it and the others scale by round(s * size / longest) (half to even).
 * - mode: area (MONAI's default), nearest, nearest-exact, linear/bilinear/trilinear (align_corners);
 *   bicubic is 2-D only in torch and not offered for volumes.
 * - anti_aliasing: a Gaussian smooth before downsampling, sigma (s - 1) / 2 per downsampled axis (s the
 *   factor) unless anti_aliasing_sigma is given (then applied only on downsampled axes), as MONAI does.
 * - The affine scales about the voxel centres (MONAI's scale_affine); the output is float32; an unchanged
 *   size only casts to float32. Invertible: the inverse resizes back with the same mode.
 * A volume whose last axis has size 1 takes a 2-entry spatial_size as a 2-D image (X, Y).
 */
import { BundleError } from '../../errors/index.js';
import { multiply } from '../../image/geometry.js';
import { type Mat4, type Volume, withParts } from '../../image/Volume.js';
import type { ComponentEntry } from '../../registry/ComponentEntry.js';
import { invertKeys, withOperation, type InverseOptions } from '../invertible.js';
import { MapTransform, mapTransformSchema, perKey, type MapTransformOptions } from '../MapTransform.js';
import type { Sample } from '../Transform.js';
import { gaussianSmooth, interpolate, type ResizeMode } from './resize.js';

const MODES: Record<string, ResizeMode> = { area: 'area', nearest: 'nearest', 'nearest-exact': 'nearest-exact', linear: 'linear', bilinear: 'linear', trilinear: 'linear' };

export interface ResizedOptions extends MapTransformOptions {
  spatialSize: number | readonly number[];
  sizeMode?: 'all' | 'longest';
  mode?: string | readonly string[];
  alignCorners?: boolean | null | readonly (boolean | null)[];
  antiAliasing?: boolean | readonly boolean[];
  antiAliasingSigma?: number | readonly number[] | null;
}

/** The output spatial shape MONAI's Resize computes for `inShape`. */
export function resizedShape(inShape: readonly number[], spatialSize: number | readonly number[], sizeMode: 'all' | 'longest'): number[] {
  if (sizeMode === 'longest') {
    const scale = (spatialSize as number) / Math.max(...inShape);
    return inShape.map((s) => roundHalfEven(s * scale));
  }
  const sizes = typeof spatialSize === 'number' ? inShape.map(() => spatialSize) : spatialSize;
  return inShape.map((s, d) => (sizes[d] !== undefined && sizes[d]! > 0 ? sizes[d]! : s));
}

function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** MONAI's scale_affine (centred): voxel centres stay put, spacing scales by in/out. */
function scaledAffine(affine: Mat4, inShape: readonly number[], outShape: readonly number[]): Mat4 {
  const s = inShape.map((n, d) => n / Math.max(outShape[d]!, 1));
  const scale: Mat4 = [
    [s[0]!, 0, 0, (s[0]! - 1) / 2],
    [0, s[1]!, 0, (s[1]! - 1) / 2],
    [0, 0, s[2]!, (s[2]! - 1) / 2],
    [0, 0, 0, 1],
  ];
  return multiply(affine, scale);
}

export class Resized extends MapTransform {
  readonly name = 'Resized';
  readonly spatialSize: number | readonly number[];
  readonly sizeMode: 'all' | 'longest';
  readonly modes: ResizeMode[];
  readonly alignCorners: (boolean | null)[];
  readonly antiAliasing: boolean[];
  readonly antiAliasingSigma: number | readonly number[] | null;

  constructor(options: ResizedOptions) {
    super(options);
    this.spatialSize = options.spatialSize;
    this.sizeMode = options.sizeMode ?? 'all';
    if (this.sizeMode === 'longest' && typeof this.spatialSize !== 'number') {
      throw new BundleError('invalid_arguments', 'Resized with size_mode "longest" needs spatial_size as one integer.', {
        hint: 'write e.g. "spatial_size": 256, or use size_mode "all" with one size per axis',
        location: { id: this.id, path: '/spatial_size' },
      });
    }
    this.modes = perKey<string>(options.mode ?? 'area', this.keys, 'mode', this.name, this.id).map((m) => {
      const mode = MODES[m];
      if (!mode) {
        throw new BundleError('invalid_arguments', `Resized mode "${m}" is not available for volumes.`, {
          hint: `use one of ${Object.keys(MODES).join(', ')} (torch's bicubic is 2-D only)`,
          location: { id: this.id, path: '/mode' },
        });
      }
      return mode;
    });
    this.alignCorners = perKey<boolean | null>(options.alignCorners ?? null, this.keys, 'align_corners', this.name, this.id);
    this.antiAliasing = perKey<boolean>(options.antiAliasing ?? false, this.keys, 'anti_aliasing', this.name, this.id);
    this.antiAliasingSigma = options.antiAliasingSigma ?? null;
  }

  override async apply(sample: Sample): Promise<Sample> {
    const out: Sample = { ...sample };
    for (const key of this.presentKeys(sample)) {
      const i = this.keys.indexOf(key);
      const volume = this.volumeAt(sample, key);
      const inShape = volume.shape.slice(1);
      const planar = Array.isArray(this.spatialSize) && this.spatialSize.length === 2 && inShape[2] === 1;
      if (this.sizeMode === 'all' && Array.isArray(this.spatialSize) && this.spatialSize.length !== 3 && !planar) {
        throw new BundleError('invalid_data', `Resized got ${this.spatialSize.length} sizes for "${key}", a volume of spatial shape ${JSON.stringify(inShape)}.`, {
          hint: 'give one size per spatial axis (-1 keeps an axis); 2 sizes only for 2-D images (last axis 1)',
          location: { id: this.id, path: '/spatial_size' },
        });
      }
      const size = planar ? [...(this.spatialSize as number[]), 1] : this.spatialSize;
      const outShape = resizedShape(inShape, size, this.sizeMode);
      const resized = resizeVolume(volume, outShape, this.modes[i]!, this.alignCorners[i] ?? false, this.antiAliasing[i]!, this.antiAliasingSigma);
      out[key] = withOperation(resized, { transform: this.name, info: { origSpatialShape: inShape, mode: this.modes[i], alignCorners: this.alignCorners[i] ?? false, originalAffine: volume.affine.map((r) => r.slice()) } });
    }
    return out;
  }

  /** Resizes back to the recorded shape with the same mode (MONAI's inverse), restoring the affine. */
  inverse(sample: Sample, options: InverseOptions = {}): Sample {
    return invertKeys<{ origSpatialShape: number[]; mode: ResizeMode; alignCorners: boolean; originalAffine: Mat4 }>(this, sample, options, (info, volume) => ({
      ...resizeVolume(volume, info.origSpatialShape, info.mode, info.alignCorners, false, null),
      affine: info.originalAffine.map((r) => r.slice()),
    }));
  }
}

/** `volume` resized to `outShape` (float32), with MONAI's anti-aliasing and affine. */
export function resizeVolume(volume: Volume, outShape: readonly number[], mode: ResizeMode, alignCorners: boolean, antiAliasing: boolean, sigma: number | readonly number[] | null): Volume {
  const inShape = volume.shape.slice(1);
  let data = volume.data instanceof Float32Array ? volume.data : Float32Array.from(volume.data);
  if (inShape.every((n, d) => n === outShape[d])) return withParts(volume, { data, dtype: 'float32' });
  if (antiAliasing && outShape.some((n, d) => n < inShape[d]!)) {
    const factors = inShape.map((n, d) => Math.fround(n) / Math.fround(outShape[d]!));
    const sigmas =
      sigma === null ? factors.map((f) => Math.max(0, (f - 1) / 2)) : inShape.map((_, d) => (typeof sigma === 'number' ? sigma : sigma[d] ?? sigma[sigma.length - 1]!) * (factors[d]! > 1 ? 1 : 0));
    data = gaussianSmooth(data, volume.shape, sigmas);
  }
  const resized = interpolate(data, volume.shape, outShape, mode, alignCorners);
  return withParts(volume, { data: resized, dtype: 'float32', shape: [volume.shape[0]!, ...outShape], affine: scaledAffine(volume.affine, inShape, outShape) });
}

interface Args {
  keys: string | string[];
  spatial_size: number | number[];
  size_mode?: 'all' | 'longest';
  mode?: string | string[];
  align_corners?: boolean | null | (boolean | null)[];
  anti_aliasing?: boolean | boolean[];
  anti_aliasing_sigma?: number | number[] | null;
  dtype?: string | null;
  lazy?: boolean;
  allow_missing_keys?: boolean;
}

const modeSchema = { type: 'string', enum: Object.keys(MODES) };

export const resizedEntry: ComponentEntry<Args, Resized> = {
  name: 'Resized',
  aliases: ['monai.transforms.Resized', 'ResizeD', 'ResizeDict'],
  description: 'Resizes to spatial_size (torch interpolate: area, nearest, nearest-exact, linear), optionally anti-aliased, as MONAI Resized.',
  argsSchema: mapTransformSchema(
    {
      spatial_size: {
        oneOf: [{ type: 'integer' }, { type: 'array', items: { type: 'integer' }, minItems: 1, maxItems: 3 }],
        description: 'output size per spatial axis (-1 keeps the axis); one int with size_mode "longest"',
      },
      size_mode: { type: 'string', enum: ['all', 'longest'], default: 'all' },
      mode: { oneOf: [modeSchema, { type: 'array', items: modeSchema, minItems: 1 }], default: 'area' },
      align_corners: {
        oneOf: [{ type: 'boolean' }, { type: 'null' }, { type: 'array', items: { type: ['boolean', 'null'] }, minItems: 1 }],
        default: null,
        description: 'for linear modes',
      },
      anti_aliasing: { oneOf: [{ type: 'boolean' }, { type: 'array', items: { type: 'boolean' }, minItems: 1 }], default: false },
      anti_aliasing_sigma: { oneOf: [{ type: 'number' }, { type: 'null' }, { type: 'array', items: { type: 'number' }, minItems: 1 }], default: null },
      dtype: { oneOf: [{ type: 'string', enum: ['float32', 'torch.float32', 'np.float32', 'numpy.float32'] }, { type: 'null' }], default: 'float32', description: 'computation in float32' },
      lazy: { type: 'boolean', enum: [false], default: false, description: 'only false' },
    },
    ['spatial_size'],
  ),
  create: (args, context) =>
    new Resized({
      keys: args.keys,
      spatialSize: args.spatial_size,
      sizeMode: args.size_mode,
      mode: args.mode,
      alignCorners: args.align_corners,
      antiAliasing: args.anti_aliasing,
      antiAliasingSigma: args.anti_aliasing_sigma,
      allowMissingKeys: args.allow_missing_keys,
      id: context.id,
    }),
};
