/**
 * torch.nn.functional.interpolate on channel-first volumes, as MONAI's Resize calls it, one spatial axis
 * at a time (every mode here is a product of per-axis weights): nearest, nearest-exact, linear (torch's
 * linear/bilinear/trilinear, align_corners false or true) and area (adaptive average pooling). Source
 * indices and weights follow ATen's CPU kernels (UpSample.h: float32 scales and source indices; AdaptivePooling.h:
 * window bounds); sums are taken in float64 and rounded to float32 once per axis, so values agree with
 * torch within float32 rounding (about 1e-6 relative), and nearest is exact.
 * Also MONAI's GaussianSmooth ("erf" kernel, truncated at 4 sigma, zero padding) for anti-aliasing.
 */
import { numel, type TypedArray } from '../../image/Volume.js';

export type ResizeMode = 'nearest' | 'nearest-exact' | 'linear' | 'area';

interface Taps {
  /** for each output index: input indices and weights */
  index: number[][];
  weight: number[][];
}

const f32 = Math.fround;

function axisTaps(n: number, m: number, mode: ResizeMode, alignCorners: boolean): Taps {
  const index: number[][] = [];
  const weight: number[][] = [];
  for (let j = 0; j < m; j++) {
    if (mode === 'nearest') {
      const i = m === n ? j : m === 2 * n ? j >> 1 : Math.min(Math.floor(f32(j * f32(n / m))), n - 1);
      index.push([i]);
      weight.push([1]);
    } else if (mode === 'nearest-exact') {
      const i = m === n ? j : Math.min(Math.floor((j + 0.5) * f32(n / m)), n - 1);
      index.push([i]);
      weight.push([1]);
    } else if (mode === 'area') {
      const start = Math.floor(f32((j * n) / m));
      const end = Math.ceil(f32(((j + 1) * n) / m));
      index.push(Array.from({ length: end - start }, (_, k) => start + k));
      weight.push(Array.from({ length: end - start }, () => 1 / (end - start)));
    } else {
      const scale = alignCorners ? (m > 1 ? f32((n - 1) / (m - 1)) : 0) : f32(n / m);
      let src = alignCorners ? f32(scale * j) : f32(f32(scale * f32(j + 0.5)) - 0.5);
      if (src < 0) src = 0;
      const i0 = Math.trunc(src);
      const i1 = i0 + (i0 < n - 1 ? 1 : 0);
      const l1 = f32(src - i0);
      index.push([i0, i1]);
      weight.push([f32(1 - l1), l1]);
    }
  }
  return { index, weight };
}

/** `data` ([C, ...spatial], C order) with spatial axis `axis` (0-based) resampled through `taps`. */
function applyAxis(data: Float32Array, shape: number[], axis: number, taps: Taps): { data: Float32Array; shape: number[] } {
  const n = shape[axis + 1]!;
  const m = taps.index.length;
  const outer = numel(shape.slice(0, axis + 1));
  const inner = numel(shape.slice(axis + 2));
  const out = new Float32Array(outer * m * inner);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      const idx = taps.index[j]!;
      const w = taps.weight[j]!;
      const dst = (o * m + j) * inner;
      for (let r = 0; r < inner; r++) {
        let sum = 0;
        for (let t = 0; t < idx.length; t++) sum += w[t]! * data[(o * n + idx[t]!) * inner + r]!;
        out[dst + r] = sum;
      }
    }
  }
  const outShape = shape.slice();
  outShape[axis + 1] = m;
  return { data: out, shape: outShape };
}

/** `data` of `shape` [C, ...spatial] interpolated to `outSpatialShape`; float32 out. */
export function interpolate(data: TypedArray, shape: readonly number[], outSpatialShape: readonly number[], mode: ResizeMode, alignCorners = false): Float32Array {
  let current = { data: data instanceof Float32Array ? data : Float32Array.from(data), shape: shape.slice() };
  for (let d = 0; d < outSpatialShape.length; d++) {
    if (current.shape[d + 1] === outSpatialShape[d]) continue; // every mode is the identity there
    current = applyAxis(current.data, current.shape, d, axisTaps(current.shape[d + 1]!, outSpatialShape[d]!, mode, alignCorners));
  }
  return current.data;
}

/** MONAI's gaussian_1d with approx "erf" (float32 like torch), truncated at `truncated` sigmas. */
export function gaussianKernel(sigma: number, truncated = 4): number[] {
  const tail = Math.trunc(Math.max(f32(sigma) * truncated, 0.5) + 0.5);
  const t = f32(0.70710678 / Math.abs(f32(sigma)));
  const kernel: number[] = [];
  for (let x = -tail; x <= tail; x++) kernel.push(Math.max(0, f32(0.5 * f32(erf(f32(t * (x + 0.5))) - erf(f32(t * (x - 0.5)))))));
  return kernel;
}

/** MONAI's GaussianSmooth: separable filtering with zero padding, one sigma per spatial axis. */
export function gaussianSmooth(data: Float32Array, shape: readonly number[], sigmas: readonly number[]): Float32Array {
  let current = { data, shape: shape.slice() };
  sigmas.forEach((sigma, d) => {
    const kernel = gaussianKernel(sigma);
    if (kernel.length === 3 && kernel[0] === 0 && kernel[2] === 0) return; // sigma 0: the identity
    const n = current.shape[d + 1]!;
    const tail = (kernel.length - 1) / 2;
    const taps: Taps = { index: [], weight: [] };
    for (let j = 0; j < n; j++) {
      const idx: number[] = [];
      const w: number[] = [];
      kernel.forEach((k, t) => {
        const i = j + t - tail;
        if (i >= 0 && i < n) {
          idx.push(i);
          w.push(k);
        }
      });
      taps.index.push(idx);
      taps.weight.push(w);
    }
    current = applyAxis(current.data, current.shape, d, taps);
  });
  return current.data;
}

/** The error function to float64 precision (W. J. Cody's rational approximations via erfc). */
export function erf(x: number): number {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? x : Math.sign(x);
  const z = Math.abs(x);
  // Abramowitz-Stegun 7.1.26 is too coarse; use the series for small |x| and a continued fraction for large
  if (z < 2.5) {
    let term = z;
    let sum = z;
    const z2 = z * z;
    for (let k = 1; k < 200; k++) {
      term *= -z2 / k;
      const add = term / (2 * k + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * sum;
  }
  // erfc continued fraction (Lentz), accurate for z >= 2.5
  let f = z;
  let c = z;
  let dd = 0;
  for (let k = 1; k < 300; k++) {
    const a = k / 2;
    dd = z + a * dd;
    dd = dd === 0 ? 1e-300 : 1 / dd;
    c = z + a / c;
    if (c === 0) c = 1e-300;
    const delta = c * dd;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  const erfc = Math.exp(-z * z) / (f * Math.sqrt(Math.PI));
  return Math.sign(x) * (1 - erfc);
}
