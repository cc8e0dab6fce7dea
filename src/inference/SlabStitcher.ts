/**
 * Blends window outputs as MONAI's sliding_window_inference does (`out += p·w`, `count += w`, then
 * `out / count`, float32 throughout, in window order) but keeps only the rows along axis 0 that windows still
 * to come may touch. Windows arrive in meshgrid order (axis 0 slowest), so once every window starting before
 * `x` is done, the rows below `x` are final: they are divided, cropped to the unpadded image and handed on as
 * a slab, and the buffer slides forward. Memory: K · capacity · (padded rows of the other axes), not K · X · Y · Z.
 */
import { stridesOf } from './windowInput.js';

export interface Slab {
  /** first output index along axis 0 (unpadded space) */
  x0: number;
  /** end (exclusive) along axis 0 */
  x1: number;
  /** [K, x1 - x0, ...spatialShape.slice(1)] */
  shape: number[];
  /** C order over `shape` */
  data: Float32Array;
}

export interface StitchGeometry {
  /** the unpadded output spatial shape (= the input's) */
  spatialShape: readonly number[];
  paddedShape: readonly number[];
  /** low-side pad per axis */
  padLow: readonly number[];
  roiSize: readonly number[];
  /** rows along axis 0 the buffer must hold (see SlidingWindowInferer's `bufferRows`) */
  capacity: number;
}

export class SlabStitcher {
  readonly channels: number;
  private readonly geometry: StitchGeometry;
  /** padded-space row index of buffer row 0 */
  private base = 0;
  private readonly rowSize: number;
  private readonly sums: Float32Array;
  private readonly counts: Float32Array;
  /** offsets (in the buffer, channel 0, relative to a window's first voxel) of each roi row */
  private readonly rowOffsets: Int32Array;
  private readonly bufferStrides: number[];

  constructor(geometry: StitchGeometry, channels: number) {
    this.geometry = geometry;
    this.channels = channels;
    const rest = geometry.paddedShape.slice(1);
    this.rowSize = rest.reduce((a, b) => a * b, 1);
    this.sums = new Float32Array(channels * geometry.capacity * this.rowSize);
    this.counts = new Float32Array(geometry.capacity * this.rowSize);
    this.bufferStrides = stridesOf([geometry.capacity, ...rest]);
    this.rowOffsets = roiRowOffsets(geometry.roiSize, this.bufferStrides);
  }

  /** Adds one window's output `[K, ...roi]` (at `offset` in `data`) with blending weights `weights` (`[...roi]`). */
  add(start: readonly number[], data: Float32Array, offset: number, weights: Float32Array | null): void {
    const { roiSize, capacity } = this.geometry;
    const rowLength = roiSize[roiSize.length - 1];
    const local0 = start[0] - this.base;
    if (local0 < 0 || local0 + roiSize[0] > capacity) {
      throw new RangeError(`window at ${start[0]} falls outside the open rows [${this.base}, ${this.base + capacity})`);
    }
    let origin = 0;
    for (let axis = 0; axis < start.length; axis++) origin += (axis === 0 ? local0 : start[axis]) * this.bufferStrides[axis];
    const channelStride = capacity * this.rowSize;
    const rows = this.rowOffsets;
    const sums = this.sums;
    for (let k = 0; k < this.channels; k++) {
      const channelOrigin = origin + k * channelStride;
      let src = offset + k * rows.length * rowLength;
      for (let r = 0; r < rows.length; r++) {
        const dst = channelOrigin + rows[r];
        if (weights === null) {
          for (let i = 0; i < rowLength; i++) sums[dst + i] += data[src + i];
        } else {
          const w0 = r * rowLength;
          for (let i = 0; i < rowLength; i++) sums[dst + i] += Math.fround(data[src + i] * weights[w0 + i]);
        }
        src += rowLength;
      }
    }
    const counts = this.counts;
    for (let r = 0; r < rows.length; r++) {
      const dst = origin + rows[r];
      if (weights === null) for (let i = 0; i < rowLength; i++) counts[dst + i] += 1;
      else for (let i = 0, w0 = r * rowLength; i < rowLength; i++) counts[dst + i] += weights[w0 + i];
    }
  }

  /**
   * Rows below `boundary` (padded space) are complete: returns them as a slab in unpadded output space (or
   * null when they are all padding) and slides the buffer so that `boundary` becomes row 0.
   */
  flush(boundary: number): Slab | null {
    const { spatialShape, padLow, paddedShape, capacity } = this.geometry;
    if (boundary <= this.base) return null;
    const lo = padLow[0];
    const first = Math.max(this.base, lo);
    const end = Math.min(boundary, lo + spatialShape[0]);
    let slab: Slab | null = null;
    if (end > first) slab = this.divideAndCrop(first, end);
    const shift = Math.min(boundary - this.base, capacity);
    const channelStride = capacity * this.rowSize;
    const keep = (capacity - shift) * this.rowSize;
    for (let k = 0; k < this.channels; k++) {
      const o = k * channelStride;
      this.sums.copyWithin(o, o + shift * this.rowSize, o + channelStride);
      this.sums.fill(0, o + keep, o + channelStride);
    }
    this.counts.copyWithin(0, shift * this.rowSize);
    this.counts.fill(0, keep);
    this.base = Math.min(boundary, paddedShape[0]);
    return slab;
  }

  private divideAndCrop(first: number, end: number): Slab {
    const { spatialShape, padLow, capacity } = this.geometry;
    const nDims = spatialShape.length;
    const last = nDims - 1;
    const rowLength = spatialShape[last];
    const x0 = first - padLow[0];
    const x1 = end - padLow[0];
    const shape = [this.channels, x1 - x0, ...spatialShape.slice(1)];
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    const outRows = (x1 - x0) * spatialShape.slice(1, last).reduce((a, b) => a * b, 1);
    const channelStride = capacity * this.rowSize;
    const counter = new Array<number>(last).fill(0);
    let out = 0;
    for (let k = 0; k < this.channels; k++) {
      counter.fill(0);
      for (let row = 0; row < outRows; row++) {
        let src = (first - this.base + counter[0]) * this.bufferStrides[0];
        for (let axis = 1; axis < last; axis++) src += (counter[axis] + padLow[axis]) * this.bufferStrides[axis];
        src += padLow[last];
        const sumOffset = k * channelStride + src;
        for (let i = 0; i < rowLength; i++) data[out + i] = this.sums[sumOffset + i] / this.counts[src + i];
        out += rowLength;
        for (let axis = last - 1; axis >= 0; axis--) {
          const size = axis === 0 ? x1 - x0 : spatialShape[axis];
          if (++counter[axis] < size) break;
          counter[axis] = 0;
        }
      }
    }
    return { x0, x1, shape, data };
  }
}

/** Buffer offsets of each row (all axes but the last) of a roi placed at the buffer's origin. */
function roiRowOffsets(roi: readonly number[], strides: readonly number[]): Int32Array {
  const last = roi.length - 1;
  const count = roi.slice(0, last).reduce((a, b) => a * b, 1);
  const offsets = new Int32Array(count);
  const counter = new Array<number>(last).fill(0);
  for (let r = 0; r < count; r++) {
    let o = 0;
    for (let axis = 0; axis < last; axis++) o += counter[axis] * strides[axis];
    offsets[r] = o;
    for (let axis = last - 1; axis >= 0; axis--) {
      if (++counter[axis] < roi[axis]) break;
      counter[axis] = 0;
    }
  }
  return offsets;
}
