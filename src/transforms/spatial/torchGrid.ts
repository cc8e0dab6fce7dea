/**
 * The continuous input index that MONAI's `spatial_resample` samples for each output index along one axis,
 * computed with the same float64 operations in the same order as MONAI 1.5 on torch 1.13 (CPU, AVX2 build),
 * for an axis-aligned resampling (both affines diagonal plus translation):
 *   xform = np.linalg.solve(A_in, A_out)      LAPACK multiplies by the reciprocal of the pivot
 *   theta = to_norm_affine(xform)             src_norm @ xform @ np.linalg.inv(dst_norm)
 *   grid  = affine_grid(theta)                linspace(-1, 1, n) * (n - 1) / n, times theta, plus shift
 *   x     = ((grid + 1) * n_in - 1) / 2       grid_sample's unnormalisation, align_corners False
 * Why bit-exact and not just float64: a sample whose exact value is 0 (e.g. between HU 0 voxels) comes out
 * as +-1e-12 or 0 depending on the last bit of x, and NormalizeIntensityd(nonzero) then treats it as tissue
 * or background (a 0.8 jump at that voxel, and a different mean and std for the whole image).
 * torch's linspace kernel is vectorised (4 doubles, two vectors per step) and compiled with FMA contraction;
 * `linspace` below reproduces it (checked against torch for every n up to 300).
 */

const view = new DataView(new ArrayBuffer(8));

/** x = m * 2^e exactly (finite x). */
function decompose(x: number): [bigint, number] {
  if (x === 0) return [0n, 0];
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  let mantissa = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  if (biased !== 0) mantissa |= 1n << 52n;
  const e = (biased === 0 ? 1 : biased) - 1075;
  return [hi >>> 31 ? -mantissa : mantissa, e];
}

/** a * b + c with one rounding (C's fma), through exact integer arithmetic. */
export function fma(a: number, b: number, c: number): number {
  const [ma, ea] = decompose(a);
  const [mb, eb] = decompose(b);
  const [mc, ec] = decompose(c);
  const ep = ea + eb;
  const e = Math.min(ep, ec);
  const sum = ((ma * mb) << BigInt(ep - e)) + (mc << BigInt(ec - e));
  if (sum === 0n) return a * b + c;
  // Number(bigint) rounds to nearest even; the power-of-two scaling after it is exact (no subnormals here)
  return Number(sum) * 2 ** Math.ceil(e / 2) * 2 ** (e - Math.ceil(e / 2));
}

/** torch.linspace(-1, 1, n, dtype=float64) on CPU, value for value. */
export function linspace(n: number): Float64Array {
  const out = new Float64Array(n);
  if (n === 1) out[0] = -1;
  if (n <= 1) return out;
  const step = 2 / (n - 1);
  const half = Math.floor(n / 2);
  const scalar = (i: number) => (i < half ? fma(step, i, -1) : fma(-step, n - i - 1, 1));
  let idx = 0;
  // two vectors of four per step while a whole step fits, then the scalar tail
  for (; idx + 8 <= n; idx += 8) {
    for (const v of [idx, idx + 4]) {
      const base = scalar(v);
      for (let j = 0; j < 4; j++) out[v + j] = base + j * step;
    }
  }
  for (; idx < n; idx++) out[idx] = scalar(idx);
  return out;
}

/**
 * Input index sampled by each of `nOut` output voxels along one axis, for input voxel size/origin
 * (`sIn`, `tIn`) and output (`sOut`, `tOut`) along that axis (the affines' diagonal and translation).
 */
export function torchAxisCoordinates(sIn: number, tIn: number, nIn: number, sOut: number, tOut: number, nOut: number): Float64Array {
  const r = 1 / sIn;
  const xScale = sOut * r;
  const xShift = (tOut - tIn) * r;
  const srcScale = 2 / nIn;
  const srcShift = 1 / nIn - 1;
  const dstInvScale = 1 / (2 / nOut);
  const dstInvShift = -(1 / nOut - 1) * dstInvScale;
  const m = srcScale * xScale;
  const thetaScale = m * dstInvScale;
  const thetaShift = m * dstInvShift + (srcScale * xShift + srcShift);
  const lin = nOut <= 1 ? new Float64Array(nOut) : linspace(nOut);
  const out = new Float64Array(nOut);
  for (let j = 0; j < nOut; j++) {
    const base = nOut <= 1 ? 0 : (lin[j]! * (nOut - 1)) / nOut;
    const grid = base * thetaScale + thetaShift;
    out[j] = ((grid + 1) * nIn - 1) / 2;
  }
  return out;
}
