/**
 * MONAI's `point_based_window_inferer` (spec 3.3): one roi-sized window centred on each click (from
 * `pointStart` on, -1 clicks included), every window seeing all clicks; window logits are summed where
 * windows overlap; voxels no window covered are NaN (0/0), or the previous mask's value when one is given.
 * The image is padded (constant 0) to at least the roi on the fly, and clicks are shifted by the low pad.
 */
import { BundleError } from '../../errors/index.js';
import type { InferHooks, Tensor } from '../../inference/types.js';
import { copyWindow, stridesOf, type WindowSource } from '../../inference/windowInput.js';
import { paddingFor, pointWindow } from '../../inference/windows.js';
import type { Vista3dNetwork } from './network.js';
import { forwardPatch, type PatchPrompts } from './patchForward.js';

export interface PointWindowOptions {
  roiSize: readonly number[];
  pointStart?: number;
  /** `[1, 1, X, Y, Z]` pre-sigmoid logits over the same grid as the input */
  prevMask?: Tensor | null;
}

/** Logits `[1, 1, X, Y, Z]` for one object with clicks (in the input's index frame). */
export async function pointWindowInfer(
  input: Tensor,
  network: Vista3dNetwork,
  prompts: PatchPrompts,
  options: PointWindowOptions,
  hooks: InferHooks = {},
): Promise<Tensor> {
  if (!prompts.points || !prompts.pointLabels) throw new BundleError('invalid_prompt', 'Only supports single object point click.');
  if (input.dims.length !== 5) throw new BundleError('shape_mismatch', 'Input image should be 5D.');
  const spatialShape = input.dims.slice(2);
  const roi = options.roiSize;
  const pad = paddingFor(spatialShape, roi);
  const padLow = pad.map((p) => p[0]);
  const paddedShape = spatialShape.map((s, axis) => s + pad[axis]![0] + pad[axis]![1]);
  const points = prompts.points.map((p) => p.map((c, axis) => c + padLow[axis]!));
  const shifted: PatchPrompts = { ...prompts, points };
  const image: WindowSource = { data: input.data as Float32Array, channels: input.dims[1]!, spatialShape, padLow, paddingMode: 'constant', cval: 0 };
  const previous: WindowSource | null = options.prevMask
    ? { data: options.prevMask.data as Float32Array, channels: 1, spatialShape, padLow, paddingMode: 'constant', cval: 0 }
    : null;

  const n = spatialShape.reduce((a, b) => a * b, 1);
  const sums = new Float32Array(n);
  const covered = new Uint8Array(n);
  const windowVoxels = roi.reduce((a, b) => a * b, 1);
  const clicks = points.slice(options.pointStart ?? 0);
  for (const [done, p] of clicks.entries()) {
    const start = p.map((c, axis) => pointWindow(c, roi[axis]!, paddedShape[axis]!)[0]![0]);
    const window = new Float32Array(image.channels * windowVoxels);
    copyWindow(image, start, roi, window, 0);
    let previousWindow: Float32Array | null = null;
    if (previous) {
      previousWindow = new Float32Array(windowVoxels);
      copyWindow(previous, start, roi, previousWindow, 0);
    }
    const encode = () => network.encode({ type: 'float32', dims: [1, image.channels, ...roi], data: window });
    const logits = await forwardPatch(network, encode, 0, start, roi, shifted, previousWindow);
    addWindow(sums, covered, logits, start, roi, padLow, spatialShape);
    hooks.onProgress?.(done + 1, clicks.length);
  }

  const prev = options.prevMask?.data as Float32Array | undefined;
  for (let i = 0; i < n; i++) {
    if (!covered[i]) sums[i] = prev ? prev[i]! : NaN;
  }
  return { type: 'float32', dims: [1, 1, ...spatialShape], data: sums };
}

/** sums[window] += logits, covered[window] = 1, for the part of the window inside the unpadded image. */
function addWindow(
  sums: Float32Array,
  covered: Uint8Array,
  logits: Float32Array,
  start: readonly number[],
  roi: readonly number[],
  padLow: readonly number[],
  spatialShape: readonly number[],
): void {
  const [rx, ry, rz] = roi as [number, number, number];
  const strides = stridesOf(spatialShape);
  for (let x = 0; x < rx; x++) {
    const ox = start[0]! + x - padLow[0]!;
    if (ox < 0 || ox >= spatialShape[0]!) continue;
    for (let y = 0; y < ry; y++) {
      const oy = start[1]! + y - padLow[1]!;
      if (oy < 0 || oy >= spatialShape[1]!) continue;
      const src = (x * ry + y) * rz;
      for (let z = 0; z < rz; z++) {
        const oz = start[2]! + z - padLow[2]!;
        if (oz < 0 || oz >= spatialShape[2]!) continue;
        const o = ox * strides[0]! + oy * strides[1]! + oz;
        sums[o] = sums[o]! + logits[src + z]!;
        covered[o] = 1;
      }
    }
  }
}
