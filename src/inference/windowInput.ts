/**
 * Copies windows out of an input `[C, ...spatialShape]` (C order) into a batch `[n, C, ...roi]`, padding on the
 * fly instead of materialising MONAI's padded copy of the whole input: `constant` fills `cval`, `replicate`
 * repeats the edge voxel (torch's F.pad modes). Window starts are in padded space (input index + low pad).
 */
import { BundleError } from '../errors/index.js';

export type PaddingMode = 'constant' | 'replicate';

export interface WindowSource {
  data: Float32Array;
  channels: number;
  spatialShape: readonly number[];
  /** low-side pad per axis */
  padLow: readonly number[];
  paddingMode: PaddingMode;
  cval: number;
}

/** Writes window `start` (padded space) of size `roi` into `out` at `offset`; returns the next offset. */
export function copyWindow(source: WindowSource, start: readonly number[], roi: readonly number[], out: Float32Array, offset: number): number {
  const nDims = roi.length;
  const last = nDims - 1;
  const rowLength = roi[last];
  // per axis: the source index of each window position, or -1 where constant padding applies
  const maps = roi.map((r, axis) => axisMap(start[axis] - source.padLow[axis], r, source.spatialShape[axis], source.paddingMode));
  const strides = stridesOf(source.spatialShape);
  const channelSize = strides[0] * source.spatialShape[0];
  const lastMap = maps[last];
  const lastStart = lastMap[0];
  const contiguous = lastStart >= 0 && lastMap[rowLength - 1] === lastStart + rowLength - 1;
  const rowsPerChannel = roi.slice(0, last).reduce((a, b) => a * b, 1);
  const counter = new Array<number>(last).fill(0);
  for (let c = 0; c < source.channels; c++) {
    counter.fill(0);
    for (let row = 0; row < rowsPerChannel; row++) {
      let rowBase = c * channelSize;
      let outside = false;
      for (let axis = 0; axis < last; axis++) {
        const index = maps[axis][counter[axis]];
        if (index < 0) outside = true;
        rowBase += index * strides[axis];
      }
      if (outside) {
        out.fill(source.cval, offset, offset + rowLength);
      } else if (contiguous) {
        out.set(source.data.subarray(rowBase + lastStart, rowBase + lastStart + rowLength), offset);
      } else {
        for (let i = 0; i < rowLength; i++) {
          const index = lastMap[i];
          out[offset + i] = index < 0 ? source.cval : source.data[rowBase + index];
        }
      }
      offset += rowLength;
      for (let axis = last - 1; axis >= 0; axis--) {
        if (++counter[axis] < roi[axis]) break;
        counter[axis] = 0;
      }
    }
  }
  return offset;
}

function axisMap(first: number, length: number, size: number, mode: PaddingMode): Int32Array {
  const map = new Int32Array(length);
  for (let i = 0; i < length; i++) {
    const index = first + i;
    if (index >= 0 && index < size) map[i] = index;
    else if (mode === 'replicate') map[i] = index < 0 ? 0 : size - 1;
    else map[i] = -1;
  }
  return map;
}

/** C-order strides of the spatial axes, in elements. */
export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    strides[axis] = s;
    s *= shape[axis];
  }
  return strides;
}

export function checkPaddingMode(mode: string): PaddingMode {
  if (mode === 'constant' || mode === 'replicate') return mode;
  throw new BundleError('invalid_arguments', `Unsupported padding_mode "${mode}".`, { hint: 'padding_mode is "constant" (with cval) or "replicate"' });
}
