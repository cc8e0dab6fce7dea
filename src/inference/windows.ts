/**
 * Window placement and blending weights for sliding-window inference, as MONAI 1.5 computes them
 * (`monai/inferers/utils.py: sliding_window_inference`, `_get_scan_interval`; `monai/data/utils.py:
 * dense_patch_slices`, `get_valid_patch_size`, `compute_importance_map`; `monai/apps/vista3d/inferer.py:
 * _get_window_idx`). Pure: numbers in, numbers out, no tensors of the network.
 *
 * Coordinates: `spatialShape` and `roiSize` are `[X, Y, Z]` (axis 0 slowest in memory); window starts are
 * indices into the padded image, i.e. the input shifted by the low-side pad.
 */
import { BundleError } from '../errors/index.js';

export type BlendMode = 'constant' | 'gaussian';

export interface WindowPlan {
  /** the input's spatial shape */
  spatialShape: number[];
  /** the roi after MONAI's fall-back (non-positive entries take the image size) */
  roiSize: number[];
  /** per axis `[low, high]`; low = floor(diff / 2) where the image is smaller than the roi */
  pad: [number, number][];
  /** the padded spatial shape: max(image, roi) per axis */
  paddedShape: number[];
  /** per axis, the step between window starts */
  scanInterval: number[];
  /** per axis, the window starts in padded space */
  startsPerAxis: number[][];
  /** number of windows = product of the per-axis counts */
  numWindows: number;
}

/** MONAI's `fall_back_tuple`: non-positive roi entries take the image size. */
export function fallBackRoi(roiSize: readonly number[], spatialShape: readonly number[]): number[] {
  if (roiSize.length !== spatialShape.length) {
    throw new BundleError('shape_mismatch', `roi_size has ${roiSize.length} entries but the input has ${spatialShape.length} spatial axes.`, {
      hint: 'give one roi_size entry per spatial axis (or a single number for all of them)',
    });
  }
  return roiSize.map((r, i) => {
    if (!Number.isFinite(r)) throw new BundleError('invalid_arguments', `roi_size entry ${i} is not a number.`);
    return r > 0 ? Math.trunc(r) : spatialShape[i];
  });
}

/** Low/high padding per axis so that every axis is at least the roi (`diff // 2` on the low side). */
export function paddingFor(spatialShape: readonly number[], roiSize: readonly number[]): [number, number][] {
  return spatialShape.map((s, i) => {
    const diff = Math.max(roiSize[i] - s, 0);
    const low = Math.floor(diff / 2);
    return [low, diff - low];
  });
}

/** `_get_scan_interval`: `int(roi * (1 - overlap))`, at least 1; the roi itself where the roi spans the axis. */
export function scanIntervals(paddedShape: readonly number[], roiSize: readonly number[], overlap: readonly number[]): number[] {
  return paddedShape.map((s, i) => {
    if (roiSize[i] === s) return roiSize[i];
    const interval = Math.trunc(roiSize[i] * (1 - overlap[i]));
    return interval > 0 ? interval : 1;
  });
}

/** `dense_patch_slices` along one axis: starts `idx * interval`, the last moved back to `size - roi`. */
export function axisStarts(size: number, roi: number, interval: number): number[] {
  const patch = Math.min(size, roi);
  let count = 1;
  if (interval !== 0) {
    const num = Math.ceil(size / interval);
    for (let d = 0; d < num; d++) {
      if (d * interval + patch >= size) {
        count = d + 1;
        break;
      }
    }
  }
  const starts: number[] = [];
  for (let idx = 0; idx < count; idx++) {
    const start = idx * interval;
    starts.push(start - Math.max(start + patch - size, 0));
  }
  return starts;
}

/** One overlap per spatial axis from MONAI's scalar-or-sequence form, checked to be in [0, 1). */
export function overlapPerAxis(overlap: number | readonly number[], nDims: number): number[] {
  const list = typeof overlap === 'number' ? new Array<number>(nDims).fill(overlap) : [...overlap];
  if (list.length !== nDims) {
    throw new BundleError('invalid_arguments', `overlap has ${list.length} entries but the input has ${nDims} spatial axes.`, {
      hint: 'give overlap as one number or one number per spatial axis',
    });
  }
  for (const o of list) {
    if (!(o >= 0 && o < 1)) {
      throw new BundleError('invalid_arguments', `overlap must be >= 0 and < 1, got ${o}.`, { hint: 'MONAI uses 0.25 by default' });
    }
  }
  return list;
}

/** Where the windows go for an input of `spatialShape`. */
export function planWindows(spatialShape: readonly number[], roiSize: readonly number[], overlap: number | readonly number[]): WindowPlan {
  const roi = fallBackRoi(roiSize, spatialShape);
  const overlaps = overlapPerAxis(overlap, spatialShape.length);
  const pad = paddingFor(spatialShape, roi);
  const paddedShape = spatialShape.map((s, i) => Math.max(s, roi[i]));
  const scanInterval = scanIntervals(paddedShape, roi, overlaps);
  const startsPerAxis = paddedShape.map((s, i) => axisStarts(s, roi[i], scanInterval[i]));
  const numWindows = startsPerAxis.reduce((n, starts) => n * starts.length, 1);
  return { spatialShape: [...spatialShape], roiSize: roi, pad, paddedShape, scanInterval, startsPerAxis, numWindows };
}

/** The start of window `index` (meshgrid "ij" order: axis 0 slowest, last axis fastest), in padded space. */
export function windowStart(plan: WindowPlan, index: number): number[] {
  const start = new Array<number>(plan.startsPerAxis.length);
  let rest = index;
  for (let axis = plan.startsPerAxis.length - 1; axis >= 0; axis--) {
    const starts = plan.startsPerAxis[axis];
    start[axis] = starts[rest % starts.length];
    rest = Math.floor(rest / starts.length);
  }
  return start;
}

/** Every window start, in the order MONAI visits them. */
export function windowStarts(plan: WindowPlan): number[][] {
  return Array.from({ length: plan.numWindows }, (_, i) => windowStart(plan, i));
}

/**
 * `compute_importance_map(roi, mode, sigma_scale, dtype=float32)`: ones, or an outer product of per-axis
 * gaussians `exp(x² / (-2σ²))`, `σ = sigma_scale·roi`, `x = -(r-1)/2 … (r-1)/2`, computed in float32 (each
 * step rounded with Math.fround as torch does) and clamped below at `max(min(map), 1e-3)`. Not normalised.
 */
export function importanceMap(roiSize: readonly number[], mode: BlendMode, sigmaScale: number | readonly number[] = 0.125): Float32Array {
  const n = roiSize.reduce((a, b) => a * b, 1);
  if (mode === 'constant') return new Float32Array(n).fill(1);
  if (mode !== 'gaussian') {
    throw new BundleError('invalid_arguments', `Unsupported blend mode "${String(mode)}".`, { hint: 'mode is "constant" or "gaussian"' });
  }
  const scales = typeof sigmaScale === 'number' ? roiSize.map(() => sigmaScale) : [...sigmaScale];
  if (scales.length !== roiSize.length) {
    throw new BundleError('invalid_arguments', `sigma_scale has ${scales.length} entries but the roi has ${roiSize.length}.`, {
      hint: 'give sigma_scale as one number or one number per spatial axis',
    });
  }
  const profiles = roiSize.map((r, i) => gaussianProfile(r, r * scales[i]));
  let map = profiles[0];
  for (let axis = 1; axis < profiles.length; axis++) map = outer(map, profiles[axis]);
  let min = Infinity;
  for (const v of map) if (v < min) min = v;
  const floor = Math.fround(Math.max(min, 1e-3));
  for (let i = 0; i < map.length; i++) if (map[i] < floor) map[i] = floor;
  return map;
}

function gaussianProfile(size: number, sigma: number): Float32Array {
  const out = new Float32Array(size);
  const denominator = Math.fround(-2 * sigma * sigma);
  for (let i = 0; i < size; i++) {
    const x = Math.fround(-(size - 1) / 2 + i);
    out[i] = Math.exp(Math.fround(Math.fround(x * x) / denominator));
  }
  return out;
}

function outer(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(a.length * b.length);
  for (let i = 0; i < a.length; i++) for (let j = 0; j < b.length; j++) out[i * b.length + j] = a[i] * b[j];
  return out;
}

/**
 * The window around a click along one axis (VISTA3D's point-window inferer, `_get_window_idx`), in padded
 * space: `[0, roi)` near the low edge, `[size - roi, size)` near the high edge, else `[int(p) - roi//2,
 * int(p) + roi//2)`. With `centerOnly` false, MONAI adds two more windows that keep the click `margin`
 * voxels from either window edge; the list order is MONAI's.
 */
export function pointWindow(
  p: number,
  roi: number,
  size: number,
  options: { centerOnly?: boolean; margin?: number } = {},
): [number, number][] {
  const half = Math.floor(roi / 2);
  let centre: [number, number];
  if (p - half < 0) centre = [0, roi];
  else if (p + half > size) centre = [size - roi, size];
  else centre = [Math.trunc(p) - half, Math.trunc(p) + half];
  if (options.centerOnly ?? true) return [centre];
  const margin = options.margin ?? 5;
  const leftMost = Math.max(0, p - roi + margin);
  const rightMost = Math.min(size, p + roi - margin);
  return [
    [Math.trunc(leftMost), Math.trunc(leftMost + roi)],
    [Math.trunc(rightMost - roi), Math.trunc(rightMost)],
    centre,
  ];
}
