/**
 * Resampling a channel-first volume onto another voxel grid, as MONAI's `spatial_resample` does with
 * torch's `grid_sample` (align_corners False, no compiled extension): output voxel j takes the value at the
 * continuous input index x = xform . j, where xform = inv(A_in) . A_out. Trilinear ("bilinear") or nearest
 * (round half away from zero, as torch 1.13's 3-D grid_sample; newer torch rounds half to even); "border" clamps x to [0, n-1], "zeros" gives 0 weight to taps
 * outside the input. Coordinates and weights in float64; the output is float32 (MONAI's output dtype).
 *
 * Hot path: when xform has no off-diagonal terms each output axis depends on one input axis, so indices and
 * weights are tabulated per axis once. When both affines are axis-aligned (Spacingd on a non-oblique image)
 * the coordinates are torch's to the last bit (torchGrid.ts) and the taps are weighted and summed in
 * grid_sample's order, so the output equals MONAI's bit for bit. Oblique grids take the general path.
 */
import { allClose, identity, invert, multiply } from '../../image/geometry.js';
import { checkVoxelBudget } from '../../util/limits.js';
import { torchAxisCoordinates } from './torchGrid.js';
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

/** Round half away from zero (C's std::round): torch 1.13's 3-D grid_sample nearest (2.5 -> 3, -0.5 -> -1). */
export function roundHalfAway(x: number): number {
  return Math.sign(x) * Math.floor(Math.abs(x) + 0.5);
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

/** The continuous input index sampled by each output index, per spatial axis (separable resampling). */
export type AxisCoordinates = readonly [Float64Array, Float64Array, Float64Array];

/**
 * Resamples `data` ([C, X, Y, Z], any dtype) to `outSpatialShape` through `xform` (output index ->
 * input index, 4x4), or along precomputed per-axis coordinates. Returns float32 data of shape
 * [C, ...outSpatialShape].
 */
export function resample(
  data: TypedArray,
  shape: readonly number[],
  xform: Mat4 | AxisCoordinates,
  outSpatialShape: readonly number[],
  mode: InterpolationMode,
  paddingMode: PaddingMode,
): Float32Array {
  // before allocating: relabelled voxel sizes (a CT claiming 24 mm voxels) make the target grid explode
  checkVoxelBudget([shape[0]!, ...outSpatialShape], 'the resampled grid would be');
  const out = new Float32Array(shape[0]! * numel(outSpatialShape));
  if (xform[0] instanceof Float64Array) {
    resampleSeparable(data, shape, xform as AxisCoordinates, outSpatialShape, mode, paddingMode, out);
    return out;
  }
  const m = xform as Mat4;
  const offDiagonal = [0, 1, 2].some((i) => [0, 1, 2].some((j) => i !== j && Math.abs(m[i]![j]!) > 1e-12));
  if (offDiagonal) resampleGeneral(data, shape, m, outSpatialShape, mode, paddingMode, out);
  else {
    const coords = [0, 1, 2].map((i) => Float64Array.from({ length: outSpatialShape[i]! }, (_, j) => m[i]![i]! * j + m[i]![3]!));
    resampleSeparable(data, shape, coords as unknown as AxisCoordinates, outSpatialShape, mode, paddingMode, out);
  }
  return out;
}

interface AxisTable {
  /** input element offsets (index * stride) of the low and high taps */
  lo: Int32Array;
  hi: Int32Array;
  /** whether each tap is inside the input (a tap outside adds nothing: "zeros" padding) */
  inLo: Uint8Array;
  inHi: Uint8Array;
  /** torch's tap weights: (i0 + 1) - x and x - i0 */
  wLo: Float64Array;
  wHi: Float64Array;
}

function axisTable(n: number, coords: Float64Array, stride: number, mode: InterpolationMode, padding: PaddingMode): AxisTable {
  const count = coords.length;
  const t: AxisTable = { lo: new Int32Array(count), hi: new Int32Array(count), inLo: new Uint8Array(count), inHi: new Uint8Array(count), wLo: new Float64Array(count), wHi: new Float64Array(count) };
  for (let j = 0; j < count; j++) {
    let x = coords[j]!;
    if (padding === 'border') x = Math.min(Math.max(x, 0), n - 1);
    const i0 = mode === 'nearest' ? roundHalfAway(x) : Math.floor(x);
    t.inLo[j] = i0 >= 0 && i0 <= n - 1 ? 1 : 0;
    t.inHi[j] = mode !== 'nearest' && i0 + 1 >= 0 && i0 + 1 <= n - 1 ? 1 : 0;
    t.lo[j] = t.inLo[j] ? i0 * stride : 0;
    t.hi[j] = t.inHi[j] ? (i0 + 1) * stride : 0;
    t.wLo[j] = i0 + 1 - x;
    t.wHi[j] = x - i0;
  }
  return t;
}

/**
 * Axis-aligned resampling with torch's grid_sample_3d (CPU) arithmetic: the eight tap weights are
 * products in torch's order and are summed in its order (tnw, tne, tsw, tse, bnw, bne, bsw, bse, torch's
 * W axis being our last), skipping taps outside the input, in float64.
 */
function resampleSeparable(
  data: TypedArray,
  shape: readonly number[],
  coords: AxisCoordinates,
  outShape: readonly number[],
  mode: InterpolationMode,
  padding: PaddingMode,
  out: Float32Array,
): void {
  const [channels, nx, ny, nz] = shape as [number, number, number, number];
  const [ox, oy, oz] = outShape as [number, number, number];
  const ta = axisTable(nx, coords[0], ny * nz, mode, padding);
  const tb = axisTable(ny, coords[1], nz, mode, padding);
  const tk = axisTable(nz, coords[2], 1, mode, padding);
  const inSize = nx * ny * nz;
  let o = 0;
  for (let c = 0; c < channels; c++) {
    const base = c * inSize;
    for (let a = 0; a < ox; a++) {
      const a0 = base + ta.lo[a]!;
      const a1 = base + ta.hi[a]!;
      const ia0 = ta.inLo[a]!;
      const ia1 = ta.inHi[a]!;
      const la = ta.wLo[a]!;
      const ha = ta.wHi[a]!;
      for (let b = 0; b < oy; b++) {
        const b0 = tb.lo[b]!;
        const b1 = tb.hi[b]!;
        const ib0 = tb.inLo[b]!;
        const ib1 = tb.inHi[b]!;
        const lb = tb.wLo[b]!;
        const hb = tb.wHi[b]!;
        if (mode === 'nearest') {
          for (let k = 0; k < oz; k++) out[o++] = ia0 && ib0 && tk.inLo[k] ? data[a0 + b0 + tk.lo[k]!]! : 0;
          continue;
        }
        for (let k = 0; k < oz; k++) {
          const k0 = tk.lo[k]!;
          const k1 = tk.hi[k]!;
          const ik0 = tk.inLo[k]!;
          const ik1 = tk.inHi[k]!;
          const lk = tk.wLo[k]!;
          const hk = tk.wHi[k]!;
          const ll = lk * lb;
          const hl = hk * lb;
          const lh = lk * hb;
          const hh = hk * hb;
          let v = 0;
          if (ia0) {
            if (ib0 && ik0) v += data[a0 + b0 + k0]! * (ll * la);
            if (ib0 && ik1) v += data[a0 + b0 + k1]! * (hl * la);
            if (ib1 && ik0) v += data[a0 + b1 + k0]! * (lh * la);
            if (ib1 && ik1) v += data[a0 + b1 + k1]! * (hh * la);
          }
          if (ia1) {
            if (ib0 && ik0) v += data[a1 + b0 + k0]! * (ll * ha);
            if (ib0 && ik1) v += data[a1 + b0 + k1]! * (hl * ha);
            if (ib1 && ik0) v += data[a1 + b1 + k0]! * (lh * ha);
            if (ib1 && ik1) v += data[a1 + b1 + k1]! * (hh * ha);
          }
          out[o++] = v;
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
            const i = roundHalfAway(x);
            const j = roundHalfAway(y);
            const l = roundHalfAway(z);
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

/** Diagonal voxel sizes (none zero) plus a translation: the resampling is separable and torch-exact. */
function axisAligned(m: Mat4): boolean {
  const rest = m[3]![0] === 0 && m[3]![1] === 0 && m[3]![2] === 0 && m[3]![3] === 1;
  return rest && [0, 1, 2].every((i) => m[i]![i] !== 0 && [0, 1, 2].every((j) => i === j || m[i]![j] === 0));
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
  const coords = axisAligned(volume.affine) && axisAligned(dstAffine)
    ? ([0, 1, 2].map((i) => torchAxisCoordinates(volume.affine[i]![i]!, volume.affine[i]![3]!, srcShape[i]!, dstAffine[i]![i]!, dstAffine[i]![3]!, dstSpatialShape[i]!)) as unknown as AxisCoordinates)
    : multiply(invert(volume.affine), dstAffine);
  const data = resample(volume.data, volume.shape, coords, dstSpatialShape, mode, paddingMode);
  return withParts(volume, { data, dtype: 'float32', shape: [volume.shape[0]!, ...dstSpatialShape], affine: cloneMat4(dstAffine) });
}
