/**
 * Padding modes of MONAI's Pad (monai/transforms/croppad/functional.py pad_nd), which uses torch's pad for
 * constant/reflect/replicate/circular and numpy's np.pad for the rest, falling back to np.pad when torch
 * refuses (reflect wider than the image). np.pad pads one axis after the other, so a statistic mode
 * (minimum, mean...) on a later axis sees the values padded on earlier axes; we do the same.
 */
import { allocate, dtypeOf, type TypedArray } from '../../image/Volume.js';
import { extractBox } from './region.js';

export const PAD_MODES = ['constant', 'edge', 'replicate', 'reflect', 'symmetric', 'wrap', 'circular', 'minimum', 'maximum', 'mean', 'median'] as const;
export type PadMode = (typeof PAD_MODES)[number];

/** The source index along an axis of length n for a (possibly outside) index i, for index modes. */
function sourceIndex(mode: PadMode, i: number, n: number): number {
  const mod = (a: number, m: number) => ((a % m) + m) % m;
  switch (mode) {
    case 'edge':
    case 'replicate':
      return Math.min(n - 1, Math.max(0, i));
    case 'reflect': {
      if (n === 1) return 0;
      const m = mod(i, 2 * (n - 1));
      return m >= n ? 2 * (n - 1) - m : m;
    }
    case 'symmetric': {
      const m = mod(i, 2 * n);
      return m >= n ? 2 * n - 1 - m : m;
    }
    case 'wrap':
    case 'circular':
      return mod(i, n);
    default:
      throw new Error(`not an index pad mode: ${mode}`);
  }
}

/** The statistic numpy pads a line with, for the statistic modes. */
function lineStatistic(mode: PadMode, line: number[], integer: boolean): number {
  let value: number;
  if (mode === 'minimum') value = Math.min(...line);
  else if (mode === 'maximum') value = Math.max(...line);
  else if (mode === 'mean') value = Math.fround(line.reduce((a, b) => a + b, 0) / line.length);
  else {
    const sorted = line.slice().sort((a, b) => a - b);
    const h = sorted.length >> 1;
    value = sorted.length % 2 ? sorted[h]! : Math.fround(Math.fround(sorted[h - 1]! + sorted[h]!) / 2);
  }
  return integer ? Math.round(value) : value; // np.pad rounds statistics for integer arrays
}

/** `data` of `shape` [C, X, Y, Z] padded on spatial `axis` (0..2) by `before`/`after` voxels. */
function padAxis(data: TypedArray, shape: number[], axis: number, before: number, after: number, mode: PadMode): { data: TypedArray; shape: number[] } {
  if (before === 0 && after === 0) return { data, shape };
  const n = shape[axis + 1]!;
  const outShape = shape.slice();
  outShape[axis + 1] = n + before + after;
  const outer = shape.slice(0, axis + 1).reduce((a, b) => a * b, 1);
  const inner = shape.slice(axis + 2).reduce((a, b) => a * b, 1);
  const m = n + before + after;
  const out = allocate(dtypeOf(data), outer * m * inner);
  const integer = !(data instanceof Float32Array || data instanceof Float64Array);
  const statistic = mode === 'minimum' || mode === 'maximum' || mode === 'mean' || mode === 'median';
  for (let o = 0; o < outer; o++) {
    for (let r = 0; r < inner; r++) {
      const src = (k: number) => (o * n + k) * inner + r;
      const dst = (k: number) => (o * m + k) * inner + r;
      for (let k = 0; k < n; k++) out[dst(k + before)] = data[src(k)]!;
      if (mode === 'constant') continue; // allocate filled 0
      if (statistic) {
        const line: number[] = [];
        for (let k = 0; k < n; k++) line.push(data[src(k)]!);
        const v = lineStatistic(mode, line, integer);
        for (let k = 0; k < before; k++) out[dst(k)] = v;
        for (let k = 0; k < after; k++) out[dst(before + n + k)] = v;
      } else {
        for (let k = 0; k < before; k++) out[dst(k)] = data[src(sourceIndex(mode, k - before, n))]!;
        for (let k = 0; k < after; k++) out[dst(before + n + k)] = data[src(sourceIndex(mode, n + k, n))]!;
      }
    }
  }
  return { data: out, shape: outShape };
}

/**
 * The box [start, end) of `data` (shape [C, X, Y, Z]): the part inside the image is copied, the rest
 * padded with `mode` (0 for constant), as MONAI's crop-then-pad.
 */
export function extractBoxWithMode(data: TypedArray, shape: readonly number[], start: readonly number[], end: readonly number[], mode: PadMode = 'constant'): TypedArray {
  if (mode === 'constant') return extractBox(data, shape, start, end);
  const spatial = shape.slice(1);
  const inStart = start.map((s, d) => Math.min(Math.max(0, s), spatial[d]!));
  const inEnd = end.map((e, d) => Math.max(Math.min(spatial[d]!, e), inStart[d]!));
  if (inStart.some((s, d) => s >= inEnd[d]!)) return extractBox(data, shape, start, end); // nothing inside to pad from
  let current = { data: extractBox(data, shape, inStart, inEnd), shape: [shape[0]!, ...inEnd.map((e, d) => e - inStart[d]!)] };
  for (let d = 0; d < 3; d++) current = padAxis(current.data, current.shape, d, inStart[d]! - start[d]!, end[d]! - inEnd[d]!, mode);
  return current.data;
}
