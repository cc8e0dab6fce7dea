/**
 * Resampling a channel-first volume onto another voxel grid, as MONAI's `spatial_resample` does with
 * torch's `grid_sample` (align_corners False, no compiled extension): output voxel j takes the value at the
 * continuous input index x = xform . j, where xform = inv(A_in) . A_out. Trilinear ("bilinear") or nearest
 * (round half to even, torch's nearbyint); "border" clamps x to [0, n-1], "zeros" gives 0 weight to taps
 * outside the input. Coordinates and weights in float64; the output is float32 (MONAI's output dtype).
 *
 * Hot path: when xform has no off-diagonal terms (every axis-aligned resampling, e.g. Spacingd on a
 * non-oblique image) each output axis depends on one input axis, so indices and weights are tabulated per
 * axis once and the inner loop is only loads and multiply-adds. Oblique grids take the general path.
 */
import { allClose, identity, invert, multiply } from '../../image/geometry.js';
import { checkVoxelBudget } from '../../util/limits.js';
import { cloneMat4, numel, withParts, type Mat4, type TypedArray, type Volume } from '../../image/Volume.js';

export type InterpolationMode = 'bilinear' | 'nearest';
export type PaddingMode = 'border' | 'zeros';

/** MONAI's AFFINE_TOL: affines closer than this are "unchanged" and no resampling happens. */
export const AFFINE_TOL = 1e-3;

/** Round half to even (torch's nearbyint, numpy's round). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * True when resampling from `srcAffine`/`srcShape` to `dstAffine`/`dstShape` would change nothing, by
 * MONAI's rule (`affine_unchanged` in spatial_resample): same shape, and the affines (or the index
 * mapping and the identity) are allclose with atol AFFINE_TOL.
 */
export function resamplingIsIdentity(srcAffine: Mat4, srcShape: readonly number[], dstAffine: Mat4, dstShape: readonly number[]): boolean {
  if (!allClose(srcShape, dstShape)) return false;
  if (allClose(srcAffine, dstAffine, AFFINE_TOL)) return true;
  return allClose(multiply(invert(srcAffine), dstAffine), identity(4), AFFINE_TOL);
}

/**
 * Resamples `data` ([C, X, Y, Z], any dtype) to `outSpatialShape` through `xform` (output index ->
 * input index, 4x4). Returns float32 data of shape [C, ...outSpatialShape].
 */
export function resample(
  data: TypedArray,
  shape: readonly number[],
  xform: Mat4,
  outSpatialShape: readonly number[],
  mode: InterpolationMode,
  paddingMode: PaddingMode,
): Float32Array {
  const offDiagonal = [0, 1, 2].some((i) => [0, 1, 2].some((j) => i !== j && Math.abs(xform[i]![j]!) > 1e-12));
  // before allocating: relabelled voxel sizes (a CT claiming 24 mm voxels) make the target grid explode
  checkVoxelBudget([shape[0]!, ...outSpatialShape], 'the resampled grid would be');
  const out = new Float32Array(shape[0]! * numel(outSpatialShape));
  if (offDiagonal) resampleGeneral(data, shape, xform, outSpatialShape, mode, paddingMode, out);
  else resampleSeparable(data, shape, xform, outSpatialShape, mode, paddingMode, out);
  return out;
}

interface AxisTable {
  /** input element offsets (index * stride) of the low and high taps */
  lo: Int32Array;
  hi: Int32Array;
  /** weights of the low and high taps (nearest: wLo 1 or 0 for an outside tap, wHi 0) */
  wLo: Float64Array;
  wHi: Float64Array;
}

function axisTable(n: number, scale: number, shift: number, count: number, stride: number, mode: InterpolationMode, padding: PaddingMode): AxisTable {
  const t: AxisTable = { lo: new Int32Array(count), hi: new Int32Array(count), wLo: new Float64Array(count), wHi: new Float64Array(count) };
  for (let j = 0; j < count; j++) {
    let x = scale * j + shift;
    if (padding === 'border') x = Math.min(Math.max(x, 0), n - 1);
    if (mode === 'nearest') {
      const i = roundHalfEven(x);
      const inside = i >= 0 && i <= n - 1;
      t.lo[j] = (inside ? i : 0) * stride;
      t.hi[j] = t.lo[j]!;
      t.wLo[j] = inside ? 1 : 0;
      t.wHi[j] = 0;
      continue;
    }
    const i0 = Math.floor(x);
    const w1 = x - i0;
    const in0 = i0 >= 0 && i0 <= n - 1;
    const in1 = i0 + 1 >= 0 && i0 + 1 <= n - 1;
    t.lo[j] = (in0 ? i0 : in1 ? i0 + 1 : 0) * stride;
    t.hi[j] = (in1 ? i0 + 1 : in0 ? i0 : 0) * stride;
    t.wLo[j] = in0 ? 1 - w1 : 0;
    t.wHi[j] = in1 ? w1 : 0;
  }
  return t;
}

function resampleSeparable(
  data: TypedArray,
  shape: readonly number[],
  xform: Mat4,
  outShape: readonly number[],
  mode: InterpolationMode,
  padding: PaddingMode,
  out: Float32Array,
): void {
  const [channels, nx, ny, nz] = shape as [number, number, number, number];
  const [ox, oy, oz] = outShape as [number, number, number];
  const tx = axisTable(nx, xform[0]![0]!, xform[0]![3]!, ox, ny * nz, mode, padding);
  const ty = axisTable(ny, xform[1]![1]!, xform[1]![3]!, oy, nz, mode, padding);
  const tz = axisTable(nz, xform[2]![2]!, xform[2]![3]!, oz, 1, mode, padding);
  const inSize = nx * ny * nz;
  let o = 0;
  for (let c = 0; c < channels; c++) {
    const base = c * inSize;
    for (let a = 0; a < ox; a++) {
      const xl = base + tx.lo[a]!;
      const xh = base + tx.hi[a]!;
      const wxl = tx.wLo[a]!;
      const wxh = tx.wHi[a]!;
      if (mode === 'nearest') {
        for (let b = 0; b < oy; b++) {
          const row = xl + ty.lo[b]!;
          const wxy = wxl * ty.wLo[b]!;
          if (wxy === 0) {
            out.fill(0, o, o + oz);
            o += oz;
            continue;
          }
          for (let k = 0; k < oz; k++) out[o++] = tz.wLo[k] === 0 ? 0 : data[row + tz.lo[k]!]!;
        }
        continue;
      }
      for (let b = 0; b < oy; b++) {
        const r00 = xl + ty.lo[b]!;
        const r01 = xl + ty.hi[b]!;
        const r10 = xh + ty.lo[b]!;
        const r11 = xh + ty.hi[b]!;
        const wyl = ty.wLo[b]!;
        const wyh = ty.wHi[b]!;
        for (let k = 0; k < oz; k++) {
          const zl = tz.lo[k]!;
          const zh = tz.hi[k]!;
          const wzl = tz.wLo[k]!;
          const wzh = tz.wHi[k]!;
          const v0 = wyl * (wzl * data[r00 + zl]! + wzh * data[r00 + zh]!) + wyh * (wzl * data[r01 + zl]! + wzh * data[r01 + zh]!);
          const v1 = wyl * (wzl * data[r10 + zl]! + wzh * data[r10 + zh]!) + wyh * (wzl * data[r11 + zl]! + wzh * data[r11 + zh]!);
          out[o++] = wxl * v0 + wxh * v1;
        }
      }
    }
  }
}

function resampleGeneral(
  data: TypedArray,
  shape: readonly number[],
  m: Mat4,
  outShape: readonly number[],
  mode: InterpolationMode,
  padding: PaddingMode,
  out: Float32Array,
): void {
  const [channels, nx, ny, nz] = shape as [number, number, number, number];
  const [ox, oy, oz] = outShape as [number, number, number];
  const sx = ny * nz;
  const sy = nz;
  const inSize = nx * sx;
  const border = padding === 'border';
  let o = 0;
  for (let c = 0; c < channels; c++) {
    const base = c * inSize;
    for (let a = 0; a < ox; a++) {
      for (let b = 0; b < oy; b++) {
        const bx = m[0]![0]! * a + m[0]![1]! * b + m[0]![3]!;
        const by = m[1]![0]! * a + m[1]![1]! * b + m[1]![3]!;
        const bz = m[2]![0]! * a + m[2]![1]! * b + m[2]![3]!;
        for (let k = 0; k < oz; k++) {
          let x = bx + m[0]![2]! * k;
          let y = by + m[1]![2]! * k;
          let z = bz + m[2]![2]! * k;
          if (border) {
            x = x < 0 ? 0 : x > nx - 1 ? nx - 1 : x;
            y = y < 0 ? 0 : y > ny - 1 ? ny - 1 : y;
            z = z < 0 ? 0 : z > nz - 1 ? nz - 1 : z;
          }
          if (mode === 'nearest') {
            const i = roundHalfEven(x);
            const j = roundHalfEven(y);
            const l = roundHalfEven(z);
            const inside = i >= 0 && i < nx && j >= 0 && j < ny && l >= 0 && l < nz;
            out[o++] = inside ? data[base + i * sx + j * sy + l]! : 0;
            continue;
          }
          const i0 = Math.floor(x);
          const j0 = Math.floor(y);
          const l0 = Math.floor(z);
          const fx = x - i0;
          const fy = y - j0;
          const fz = z - l0;
          let v = 0;
          for (let di = 0; di < 2; di++) {
            const i = i0 + di;
            if (i < 0 || i >= nx) continue;
            const wi = di ? fx : 1 - fx;
            for (let dj = 0; dj < 2; dj++) {
              const j = j0 + dj;
              if (j < 0 || j >= ny) continue;
              const wij = wi * (dj ? fy : 1 - fy);
              for (let dl = 0; dl < 2; dl++) {
                const l = l0 + dl;
                if (l < 0 || l >= nz) continue;
                const w = wij * (dl ? fz : 1 - fz);
                v += w * data[base + i * sx + j * sy + l]!;
              }
            }
          }
          out[o++] = v;
        }
      }
    }
  }
}

/**
 * A volume resampled onto (`dstAffine`, `dstSpatialShape`), or only cast to float32 when MONAI would not
 * resample (resamplingIsIdentity: the affine then stays the source's, as in MONAI). Records nothing.
 */
export function resampleVolume(
  volume: Volume,
  dstAffine: Mat4,
  dstSpatialShape: readonly number[],
  mode: InterpolationMode,
  paddingMode: PaddingMode,
): Volume {
  const srcShape = volume.shape.slice(1);
  if (resamplingIsIdentity(volume.affine, srcShape, dstAffine, dstSpatialShape)) {
    const data = volume.data instanceof Float32Array ? volume.data : Float32Array.from(volume.data);
    return withParts(volume, { data, dtype: 'float32' });
  }
  const xform = multiply(invert(volume.affine), dstAffine);
  const data = resample(volume.data, volume.shape, xform, dstSpatialShape, mode, paddingMode);
  return withParts(volume, { data, dtype: 'float32', shape: [volume.shape[0]!, ...dstSpatialShape], affine: cloneMat4(dstAffine) });
}
