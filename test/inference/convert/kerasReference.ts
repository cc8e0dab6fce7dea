/**
 * A direct (slow, float64) implementation of the Keras layers the converter handles, channels last as Keras
 * computes them: the independent reference the converted ONNX graphs are checked against.
 */
export interface ChannelsLast {
  /** [d0, d1, d2, C] */
  shape: [number, number, number, number];
  data: Float64Array;
}

export function fromChannelsFirst(data: ArrayLike<number>, shape: [number, number, number, number]): ChannelsLast {
  const [c, d0, d1, d2] = shape;
  const out = new Float64Array(data.length);
  const n = d0 * d1 * d2;
  for (let ch = 0; ch < c; ch++) for (let p = 0; p < n; p++) out[p * c + ch] = data[ch * n + p]!;
  return { shape: [d0, d1, d2, c], data: out };
}

/** Keras Conv3D, stride 1, "same" (TF's split: extra padding at the end) or "valid". */
export function conv3d(x: ChannelsLast, kernel: { shape: number[]; data: Float32Array }, bias: Float32Array | undefined, dilation: number, padding: 'same' | 'valid' = 'same'): ChannelsLast {
  const [D, H, W, cin] = x.shape;
  const [kd, kh, kw, kin, cout] = kernel.shape as [number, number, number, number, number];
  if (kin !== cin) throw new Error('channel mismatch');
  const before = (k: number) => (padding === 'same' ? Math.floor((dilation * (k - 1)) / 2) : 0);
  const outSize = (n: number, k: number) => (padding === 'same' ? n : n - dilation * (k - 1));
  const [OD, OH, OW] = [outSize(D, kd), outSize(H, kh), outSize(W, kw)];
  const out = new Float64Array(OD * OH * OW * cout);
  for (let z = 0; z < OD; z++) for (let y = 0; y < OH; y++) for (let w = 0; w < OW; w++) {
    for (let o = 0; o < cout; o++) {
      let sum = bias ? bias[o]! : 0;
      for (let a = 0; a < kd; a++) {
        const iz = z + a * dilation - before(kd);
        if (iz < 0 || iz >= D) continue;
        for (let b = 0; b < kh; b++) {
          const iy = y + b * dilation - before(kh);
          if (iy < 0 || iy >= H) continue;
          for (let c = 0; c < kw; c++) {
            const ix = w + c * dilation - before(kw);
            if (ix < 0 || ix >= W) continue;
            for (let i = 0; i < cin; i++) {
              sum += x.data[((iz * H + iy) * W + ix) * cin + i]! * kernel.data[(((a * kh + b) * kw + c) * cin + i) * cout + o]!;
            }
          }
        }
      }
      out[((z * OH + y) * OW + w) * cout + o] = sum;
    }
  }
  return { shape: [OD, OH, OW, cout], data: out };
}

/** erf to ~1e-12 (series / continued fraction), enough to check a float32 graph. */
export function erf(x: number): number {
  const t = Math.abs(x);
  if (t < 2.5) {
    let sum = 0;
    let term = t;
    for (let n = 0; n < 100; n++) {
      sum += term / (2 * n + 1);
      term *= (-t * t) / (n + 1);
    }
    return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * sum;
  }
  // continued fraction for erfc
  let f = 0;
  for (let n = 60; n >= 1; n--) f = n / 2 / (t + f);
  const erfc = Math.exp(-t * t) / Math.sqrt(Math.PI) / (t + f);
  return Math.sign(x) * (1 - erfc);
}

export function map(x: ChannelsLast, fn: (v: number) => number): ChannelsLast {
  return { shape: x.shape, data: x.data.map(fn) };
}

export const relu = (v: number) => Math.max(0, v);
export const elu = (alpha = 1) => (v: number) => (v > 0 ? v : alpha * (Math.exp(v) - 1));
export const gelu = (v: number) => 0.5 * v * (1 + erf(v / Math.SQRT2));
export const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

/** per-channel normalisation over the spatial axes, biased variance, as tf.moments / InstanceNormalization */
export function instanceNorm(x: ChannelsLast, epsilon: number, gamma?: Float32Array, beta?: Float32Array): ChannelsLast {
  const c = x.shape[3];
  const n = x.data.length / c;
  const out = new Float64Array(x.data.length);
  for (let ch = 0; ch < c; ch++) {
    let mean = 0;
    for (let p = 0; p < n; p++) mean += x.data[p * c + ch]!;
    mean /= n;
    let variance = 0;
    for (let p = 0; p < n; p++) variance += (x.data[p * c + ch]! - mean) ** 2;
    variance /= n;
    const scale = (gamma ? gamma[ch]! : 1) / Math.sqrt(variance + epsilon);
    for (let p = 0; p < n; p++) out[p * c + ch] = (x.data[p * c + ch]! - mean) * scale + (beta ? beta[ch]! : 0);
  }
  return { shape: x.shape, data: out };
}

export function softmax(x: ChannelsLast): ChannelsLast {
  const c = x.shape[3];
  const out = new Float64Array(x.data.length);
  for (let p = 0; p < x.data.length / c; p++) {
    let max = -Infinity;
    for (let ch = 0; ch < c; ch++) max = Math.max(max, x.data[p * c + ch]!);
    let sum = 0;
    for (let ch = 0; ch < c; ch++) sum += (out[p * c + ch] = Math.exp(x.data[p * c + ch]! - max));
    for (let ch = 0; ch < c; ch++) out[p * c + ch] /= sum;
  }
  return { shape: x.shape, data: out };
}

/** the largest |a - b| between a channels-first ONNX output [1, C, d0, d1, d2] and a channels-last reference */
export function maxAbsDiff(onnx: ArrayLike<number>, ref: ChannelsLast): number {
  const c = ref.shape[3];
  const n = ref.data.length / c;
  let max = 0;
  for (let ch = 0; ch < c; ch++) for (let p = 0; p < n; p++) max = Math.max(max, Math.abs(onnx[ch * n + p]! - ref.data[p * c + ch]!));
  return max;
}
