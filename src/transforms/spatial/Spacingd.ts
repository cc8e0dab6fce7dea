/**
 * Spacingd: resample to a target voxel size, with MONAI 1.5's output grid (monai/transforms/spatial/array.py
 * Spacing, monai/data/utils.py zoom_affine and compute_shape_offset):
 * - per axis, the target is kept at the input spacing when within AFFINE_TOL of it, or when non-positive;
 * - the new affine keeps the input's rotation and flips (shear removed) with the target zooms, and its
 *   origin is the input corner with the smallest output index (the input voxel (0,0,0) when shear-free);
 * - the output shape is round(extent + 1) per axis (round half to even);
 * - no resampling when the grid is unchanged (the data is only cast to float32).
 * The output is float32; the coordinates are computed in float64 whatever `dtype` says (MONAI's default).
 */
import { BundleError } from '../../errors/index.js';
import { allClose, choleskyUpper, composeAffine, invert, linearPart, multiply, spacingOf, transpose } from '../../image/geometry.js';
import type { Mat4, Volume } from '../../image/Volume.js';
import type { ComponentEntry, JsonSchema } from '../../registry/ComponentEntry.js';
import { MapTransform, mapTransformSchema, perKey, type MapTransformOptions } from '../MapTransform.js';
import { popOperation, withOperation, type InverseOptions } from '../invertible.js';
import type { Sample } from '../Transform.js';
import { checkVoxelBudget } from '../../util/limits.js';
import { AFFINE_TOL, resampleVolume, roundHalfEven, type InterpolationMode, type PaddingMode } from './resample.js';

/** The output spacing per axis, by Spacing.__call__'s AFFINE_TOL / min_pixdim / max_pixdim rule. */
export function targetSpacing(affine: Mat4, pixdim: readonly number[], minPixdim?: readonly (number | null)[], maxPixdim?: readonly (number | null)[]): number[] {
  const out = [0, 1, 2].map((i) => pixdim[Math.min(i, pixdim.length - 1)]!);
  const current = spacingOf(affine);
  return out.map((target, i) => {
    const lo = minPixdim?.[i] == null ? target : Math.min(minPixdim[i]!, target);
    const hi = maxPixdim?.[i] == null ? target : Math.max(maxPixdim[i]!, target);
    const d = current[i]!;
    return lo - AFFINE_TOL <= d && d <= hi + AFFINE_TOL ? d : target;
  });
}

/**
 * MONAI's zoom_affine: a zero-translation affine whose column norms are `scale` (non-positive entries fall
 * back to the input spacing); with `diagonal` false it keeps the input's rotation from the QR (Cholesky)
 * split of the linear part, so flips and obliquity survive and shear does not.
 */
export function zoomAffine(affine: Mat4, scale: readonly number[], diagonal: boolean): Mat4 {
  const norm = spacingOf(affine);
  const s = [0, 1, 2].map((i) => (scale[i]! > 0 ? scale[i]! : norm[i]!)).map((v) => (v === 0 ? 1 : v));
  if (diagonal) return composeAffine([[s[0]!, 0, 0], [0, s[1]!, 0], [0, 0, s[2]!]], [0, 0, 0]);
  const rzs = linearPart(affine);
  const zs = choleskyUpper(multiply(transpose(rzs), rzs));
  const rotation = multiply(rzs, invert(zs));
  const signed = s.map((v, i) => Math.sign(zs[i]![i]!) * Math.abs(v));
  return composeAffine(rotation.map((row) => row.map((v, j) => v * signed[j]!)), [0, 0, 0]);
}

/**
 * MONAI's compute_shape_offset: the output spatial shape covering the input's voxel centres (or voxel
 * extents with `scaleExtent`), and the world position to put at the output origin.
 */
export function computeShapeOffset(spatialShape: readonly number[], inAffine: Mat4, outAffine: Mat4, scaleExtent: boolean): { shape: number[]; offset: number[] } {
  const ranges = spatialShape.map((n) => (scaleExtent ? [-0.5, n - 0.5] : [0, n - 1]));
  const corners: number[][] = [];
  for (const a of ranges[0]!) for (const b of ranges[1]!) for (const c of ranges[2]!) corners.push([a, b, c, 1]);
  const toOut = multiply(invert(outAffine), inAffine);
  const outH = corners.map((p) => toOut.map((row) => row.reduce((s, v, j) => s + v * p[j]!, 0)));
  const outCorners = outH.map((p) => p.slice(0, 3).map((v) => v / p[3]!));
  const world = corners.map((p) => inAffine.slice(0, 3).map((row) => row.reduce((s, v, j) => s + v * p[j]!, 0)));
  const ptp = [0, 1, 2].map((d) => Math.max(...outCorners.map((p) => p[d]!)) - Math.min(...outCorners.map((p) => p[d]!)));
  const shape = ptp.map((v) => roundHalfEven(scaleExtent ? v : v + 1));
  let offset: number[] | undefined;
  for (let i = 0; i < outH.length && !offset; i++) {
    const isMin = [0, 1, 2].every((d) => Math.abs(Math.min(...outH.map((p) => p[d]! - outH[i]![d]!))) <= 1e-8);
    if (isMin) offset = world[i];
  }
  offset ??= [0, 1, 2].map(
    (r) =>
      [0, 1, 2].reduce((s, j) => s + inAffine[r]![j]! * (spatialShape[j]! / 2) - outAffine[r]![j]! * (shape[j]! / 2), 0) + inAffine[r]![3]!,
  );
  if (scaleExtent) {
    const inOffset = [...spatialShape.map((n, i) => 0.5 * (n / shape[i]! - 1)), 1];
    offset = offset.map((v, r) => Math.abs(inAffine[r]!.reduce((s, a, j) => s + a * inOffset[j]!, 0)) * Math.sign(v));
  }
  return { shape, offset };
}

export interface SpacingGridOptions {
  pixdim: readonly number[];
  diagonal?: boolean;
  scaleExtent?: boolean;
  minPixdim?: readonly (number | null)[];
  maxPixdim?: readonly (number | null)[];
}

/** The output grid (affine and spatial shape) Spacing gives an input grid. */
export function spacingGrid(affine: Mat4, spatialShape: readonly number[], options: SpacingGridOptions): { affine: Mat4; spatialShape: number[] } {
  const target = targetSpacing(affine, options.pixdim, options.minPixdim, options.maxPixdim);
  const out = zoomAffine(affine, target, options.diagonal ?? false);
  const { shape, offset } = computeShapeOffset(spatialShape, affine, out, options.scaleExtent ?? false);
  for (let r = 0; r < 3; r++) out[r]![3] = offset[r]!;
  return { affine: out, spatialShape: shape };
}

export interface SpacingdOptions extends MapTransformOptions, SpacingGridOptions {
  mode?: InterpolationMode | InterpolationMode[];
  paddingMode?: PaddingMode | PaddingMode[];
  alignCorners?: boolean | boolean[];
  /** MONAI's `ensure_same_shape`: keys with equal input grids get the first key's output shape */
  ensureSameShape?: boolean;
}

export class Spacingd extends MapTransform {
  readonly name = 'Spacingd';
  readonly grid: SpacingGridOptions;
  readonly modes: InterpolationMode[];
  readonly paddingModes: PaddingMode[];
  readonly alignCorners: boolean[];
  readonly ensureSameShape: boolean;

  constructor(options: SpacingdOptions) {
    super(options);
    if (options.pixdim.length === 0) {
      throw new BundleError('invalid_arguments', 'Spacingd needs at least one value in "pixdim".', { location: { id: this.id, path: '/pixdim' } });
    }
    this.grid = options;
    this.modes = perKey(options.mode ?? 'bilinear', this.keys, 'mode', this.name, this.id);
    this.paddingModes = perKey(options.paddingMode ?? 'border', this.keys, 'padding_mode', this.name, this.id);
    this.alignCorners = perKey(options.alignCorners ?? false, this.keys, 'align_corners', this.name, this.id);
    this.ensureSameShape = options.ensureSameShape ?? true;
  }

  override async apply(sample: Sample): Promise<Sample> {
    const out: Sample = { ...sample };
    let first: { shape: number[]; spacing: number[]; outShape: number[] } | undefined;
    for (const key of this.presentKeys(sample)) {
      const i = this.keys.indexOf(key);
      const volume = this.volumeAt(sample, key);
      const inShape = volume.shape.slice(1);
      const grid = spacingGrid(volume.affine, inShape, this.grid);
      if (this.ensureSameShape && first && allClose(first.shape, inShape) && allClose(first.spacing, spacingOf(volume.affine), AFFINE_TOL)) {
        grid.spatialShape = first.outShape;
      }
      first ??= { shape: inShape, spacing: spacingOf(volume.affine), outShape: grid.spatialShape };
      const spacing = spacingOf(volume.affine).map((v) => +v.toPrecision(4)).join('x');
      checkVoxelBudget([volume.shape[0]!, ...grid.spatialShape], `Spacingd would resample "${key}" (voxels of ${spacing} mm, grid ${inShape.join('x')}) to a grid of`, this.id !== undefined ? { id: this.id } : {});
      const resampled = resampleVolume(volume, grid.affine, grid.spatialShape, this.modes[i]!, this.paddingModes[i]!);
      out[key] = withOperation(resampled, {
        transform: this.name,
        info: {
          srcAffine: volume.affine.map((row) => row.slice()),
          origSpatialShape: inShape,
          mode: this.modes[i],
          paddingMode: this.paddingModes[i],
          alignCorners: this.alignCorners[i],
        },
      });
    }
    return out;
  }

  /** Resamples back to the recorded grid with the recorded mode (Invertd may have set it to nearest). */
  inverse(sample: Sample, options: InverseOptions = {}): Sample {
    return invertSpatialResample(this, sample, options);
  }
}

/** The inverse of a recorded Spacingd operation on every key of `transform` present in the sample. */
export function invertSpatialResample(transform: MapTransform, sample: Sample, options: InverseOptions): Sample {
  const out: Sample = { ...sample };
  const keys = options.allowMissingKeys ? transform.keys.filter((k) => sample[k] !== undefined) : transform.presentKeys(sample);
  for (const key of keys) {
    const { operation, volume } = popOperation(transform.volumeAt(sample, key), transform.name, key, transform.id);
    const info = operation.info as { srcAffine: Mat4; origSpatialShape: number[]; mode: InterpolationMode; paddingMode: PaddingMode };
    out[key] = resampleVolume(volume, info.srcAffine, info.origSpatialShape, info.mode, info.paddingMode);
  }
  return out;
}

const modeSchema = (values: string[], description: string): JsonSchema => ({
  description,
  oneOf: [{ type: 'string', enum: values }, { type: 'array', items: { type: 'string', enum: values }, minItems: 1 }],
});
const numberOrList: JsonSchema = { oneOf: [{ type: 'number' }, { type: 'array', items: { type: ['number', 'null'] }, minItems: 1 }, { type: 'null' }] };

interface SpacingdArgs {
  keys: string | string[];
  pixdim: number | number[];
  diagonal?: boolean;
  mode?: InterpolationMode | InterpolationMode[];
  padding_mode?: PaddingMode | PaddingMode[];
  align_corners?: boolean | boolean[];
  dtype?: string | null | Array<string | null>;
  scale_extent?: boolean;
  recompute_affine?: boolean;
  min_pixdim?: number | Array<number | null> | null;
  max_pixdim?: number | Array<number | null> | null;
  ensure_same_shape?: boolean;
  allow_missing_keys?: boolean;
}

// MONAI wraps a single min/max_pixdim as a one-element tuple, so it bounds the first axis only.
const asList = (v: number | Array<number | null> | null | undefined) => (v == null ? undefined : Array.isArray(v) ? v : [v]);

export const spacingdEntry: ComponentEntry<SpacingdArgs, Spacingd> = {
  name: 'Spacingd',
  aliases: ['monai.transforms.Spacingd', 'monai.transforms.spatial.dictionary.Spacingd', 'SpacingD', 'SpacingDict'],
  description: 'Resample to the voxel size pixdim (mm; a non-positive entry keeps that axis), as MONAI Spacingd.',
  argsSchema: mapTransformSchema(
    {
      pixdim: { description: 'output voxel size per axis, mm; -1 keeps an axis', oneOf: [{ type: 'number' }, { type: 'array', items: { type: 'number' }, minItems: 1 }] },
      diagonal: { type: 'boolean', default: false, description: 'drop the rotation and flips of the input affine' },
      mode: modeSchema(['bilinear', 'nearest'], 'interpolation, one for all keys or one per key'),
      padding_mode: modeSchema(['border', 'zeros'], 'value outside the input: nearest edge voxel (border) or 0'),
      align_corners: { oneOf: [{ type: 'boolean' }, { type: 'array', items: { type: 'boolean' } }], description: 'recorded for the inverse; no effect on index-to-index resampling' },
      dtype: { description: 'computation dtype; coordinates are always float64 here, the output float32', oneOf: [{ type: ['string', 'null'] }, { type: 'array', items: { type: ['string', 'null'] } }] },
      scale_extent: { type: 'boolean', default: false },
      recompute_affine: { type: 'boolean', default: false, description: 'only false is supported' },
      min_pixdim: numberOrList,
      max_pixdim: numberOrList,
      ensure_same_shape: { type: 'boolean', default: true },
    },
    ['pixdim'],
  ),
  create(args, context) {
    if (args.recompute_affine) {
      throw new BundleError('invalid_arguments', 'Spacingd recompute_affine=true is not supported.', {
        hint: 'remove recompute_affine (the default false keeps the affine that matches the resampled grid)',
        location: { id: context.id, path: '/recompute_affine' },
      });
    }
    for (const d of [args.dtype].flat()) {
      if (d != null && !/^((np|numpy|torch)\.)?float(32|64)$/.test(d)) {
        throw new BundleError('invalid_arguments', `Spacingd dtype "${d}" is not a floating-point type.`, {
          hint: 'use "float64" (the default) or "float32"',
          location: { id: context.id, path: '/dtype' },
        });
      }
    }
    return new Spacingd({
      id: context.id,
      keys: args.keys,
      allowMissingKeys: args.allow_missing_keys,
      pixdim: Array.isArray(args.pixdim) ? args.pixdim : [args.pixdim],
      diagonal: args.diagonal,
      mode: args.mode,
      paddingMode: args.padding_mode,
      alignCorners: args.align_corners,
      scaleExtent: args.scale_extent,
      minPixdim: asList(args.min_pixdim),
      maxPixdim: asList(args.max_pixdim),
      ensureSameShape: args.ensure_same_shape,
    });
  },
};
