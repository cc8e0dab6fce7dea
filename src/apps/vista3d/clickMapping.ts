/**
 * Clicks arrive as voxel indices of the original file; the network works on the resampled, cropped,
 * reoriented array. MONAI's `Vista3dEvaluator.transform_points` maps them with
 * `inv(A_net) · A_orig · [i, j, k, 1]`, in float64 and without rounding (spec 2.2).
 */
import { applyAffine, invert, multiply } from '../../image/geometry.js';
import type { Mat4 } from '../../image/Volume.js';

export function mapClicksToNetwork(points: readonly (readonly number[])[], originalAffine: Mat4, networkAffine: Mat4): number[][] {
  const m = multiply(invert(networkAffine), originalAffine);
  return points.map((p) => applyAffine(m, p));
}
