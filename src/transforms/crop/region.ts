/**
 * Box copies for cropping and padding: one function for both, since a crop with a box reaching outside the
 * image is a crop plus a pad (MONAI's CropForeground with allow_smaller=false, and its inverse).
 */
import { allocate, dtypeOf, type TypedArray } from '../../image/Volume.js';

/**
 * The box [start, end) of channel-first C-order data `[C, X, Y, Z]` as a new array of spatial shape
 * end - start: voxels inside the input are copied, the rest are `value`. `start` may be negative and `end`
 * beyond the input (padding).
 */
export function extractBox(data: TypedArray, shape: readonly number[], start: readonly number[], end: readonly number[], value = 0): TypedArray {
  const [channels, nx, ny, nz] = shape as [number, number, number, number];
  const size = [0, 1, 2].map((d) => end[d]! - start[d]!);
  const [ox, oy, oz] = size as [number, number, number];
  const out = allocate(dtypeOf(data), channels * ox * oy * oz);
  if (value !== 0) out.fill(value);
  // the part of the box inside the input, in box coordinates
  const lo = [0, 1, 2].map((d) => Math.max(0, -start[d]!));
  const hi = [0, 1, 2].map((d, i) => Math.min(size[d]!, [nx, ny, nz][i]! - start[d]!));
  if (lo.some((l, d) => l >= hi[d]!)) return out;
  const rowLength = hi[2]! - lo[2]!;
  for (let c = 0; c < channels; c++) {
    for (let a = lo[0]!; a < hi[0]!; a++) {
      for (let b = lo[1]!; b < hi[1]!; b++) {
        const src = ((c * nx + a + start[0]!) * ny + b + start[1]!) * nz + lo[2]! + start[2]!;
        const dst = ((c * ox + a) * oy + b) * oz + lo[2]!;
        out.set(data.subarray(src, src + rowLength), dst);
      }
    }
  }
  return out;
}
