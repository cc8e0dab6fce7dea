/**
 * Blends window outputs as MONAI's sliding_window_inference does (`out += p·w`, `count += w`, then
 * `out / count`, float32 throughout, in window order) but keeps only the rows along axis 0 that windows still
 * to come may touch. Windows arrive in meshgrid order (axis 0 slowest), so once every window starting before
 * `x` is done, the rows below `x` are final: they are divided, cropped to the unpadded image and handed on as
 * a slab, and the buffer slides forward. Memory: K · capacity · (padded rows of the other axes), not K · X · Y · Z.
 *
 * The weight sum (MONAI's count map) is not accumulated window by window: it depends only on the window
 * grid, so each output row's sum is computed when the row is divided, adding the weight rows of the windows
 * that cover it in window order, which gives the same float32 sums as MONAI's loop at a fraction of the
 * memory traffic.
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
  /** window starts per axis in padded space (WindowPlan.startsPerAxis) */
  startsPerAxis: readonly (readonly number[])[];
}

export class SlabStitcher {
  readonly channels: number;
  private readonly geometry: StitchGeometry;
  /** padded-space row index of buffer row 0 */
  private base = 0;
  private readonly rowSize: number;
  private readonly sums: Float32Array;
  /** blending weights `[...roi]`, or null for constant blending (all ones) */
  private readonly weights: Float32Array | null;
  /** per axis, per padded index: the starts of the windows covering it, in order */
  private readonly covering: number[][][];
  /** offsets (in the buffer, channel 0, relative to a window's first voxel) of each roi row */
  private readonly rowOffsets: Int32Array;
  private readonly bufferStrides: number[];

  constructor(geometry: StitchGeometry, channels: number, weights: Float32Array | null) {
    this.geometry = geometry;
    this.channels = channels;
    this.weights = weights;
    const rest = geometry.paddedShape.slice(1);
    this.rowSize = rest.reduce((a, b) => a * b, 1);
    this.sums = new Float32Array(channels * geometry.capacity * this.rowSize);
    this.covering = geometry.paddedShape.map((size, axis) =>
      Array.from({ length: size }, (_, i) => geometry.startsPerAxis[axis].filter((s) => s <= i && i < s + geometry.roiSize[axis])),
    );
    this.bufferStrides = stridesOf([geometry.capacity, ...rest]);
    this.rowOffsets = roiRowOffsets(geometry.roiSize, this.bufferStrides);
  }

  /** Adds one window's output `[K, ...roi]` (at `offset` in `data`), weighted. */
  add(start: readonly number[], data: Float32Array, offset: number): void {
    const weights = this.weights;
    const { roiSize, capacity } = this.geometry;
    const rowLength = roiSize[roiSize.length - 1];
    const local0 = start[0] - this.base;
    if (local0 < 0 || local0 + roiSize[0] > capacity) {
      throw new RangeError(`window at ${start[0]} falls outside the open rows [${this.base}, ${this.base + capacity})`);
    }
    let origin = 0;
    for (let axis = 0; axis < start.length; axis++) origin += (axis === 0 ? local0 : start[axis]) * this.bufferStrides[axis];
    const channelStride = capacity * this.rowSize;
    const windowSize = this.rowOffsets.length * rowLength;
    for (let k = 0; k < this.channels; k++) {
      const src = offset + k * windowSize;
      if (weights === null) addRows(this.sums, origin + k * channelStride, this.rowOffsets, rowLength, data, src);
      else addWeightedRows(this.sums, origin + k * channelStride, this.rowOffsets, rowLength, data, src, weights);
    }
  }

  /**
   * Rows below `boundary` (padded space) are complete: returns them as a slab in unpadded output space (or
   * null when they are all padding) and slides the buffer so that `boundary` becomes row 0.
   */
  flush(boundary: number): Slab | null {
    const rows = this.finalRows(boundary);
    let slab: Slab | null = null;
    if (rows) {
      const [x0, x1] = rows;
      const shape = [this.channels, x1 - x0, ...this.geometry.spatialShape.slice(1)];
      const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
      this.divideInto(x0, x1, data, data.length / this.channels, 0);
      slab = { x0, x1, shape, data };
    }
    this.slide(boundary);
    return slab;
  }

  /** As `flush`, but writes the final rows straight into the whole output `[K, ...spatialShape]`. */
  flushInto(boundary: number, output: Float32Array): void {
    const rows = this.finalRows(boundary);
    if (rows) {
      const plane = output.length / this.channels;
      this.divideInto(rows[0], rows[1], output, plane, rows[0] * (plane / this.geometry.spatialShape[0]));
    }
    this.slide(boundary);
  }

  /** The unpadded rows `[x0, x1)` that become final at `boundary`, or null when there are none. */
  private finalRows(boundary: number): [number, number] | null {
    const { spatialShape, padLow } = this.geometry;
    const lo = padLow[0];
    const first = Math.max(this.base, lo);
    const end = Math.min(boundary, lo + spatialShape[0]);
    return end > first ? [first - lo, end - lo] : null;
  }

  private slide(boundary: number): void {
    const { paddedShape, capacity } = this.geometry;
    if (boundary <= this.base) return;
    const shift = Math.min(boundary - this.base, capacity);
    const channelStride = capacity * this.rowSize;
    const keep = (capacity - shift) * this.rowSize;
    for (let k = 0; k < this.channels; k++) {
      const o = k * channelStride;
      this.sums.copyWithin(o, o + shift * this.rowSize, o + channelStride);
      this.sums.fill(0, o + keep, o + channelStride);
    }
    this.base = Math.min(boundary, paddedShape[0]);
  }

  /** sums / weight sums for output rows [x0, x1), cropped, written at `offset + k * channelStride` onwards. */
  private divideInto(x0: number, x1: number, data: Float32Array, channelStride: number, offset: number): void {
    const { spatialShape, padLow, capacity, paddedShape } = this.geometry;
    const last = spatialShape.length - 1;
    const rowLength = spatialShape[last];
    const outRows = (x1 - x0) * spatialShape.slice(1, last).reduce((a, b) => a * b, 1);
    const bufferChannel = capacity * this.rowSize;
    const counter = new Array<number>(last).fill(0);
    const index = new Array<number>(last);
    const first = x0 + padLow[0] - this.base;
    const countRow = new Float32Array(paddedShape[last]);
    let out = offset;
    for (let row = 0; row < outRows; row++) {
      for (let axis = 0; axis < last; axis++) index[axis] = counter[axis] + padLow[axis] + (axis === 0 ? x0 : 0);
      this.weightSumRow(index, countRow);
      let src = (first + counter[0]) * this.bufferStrides[0] + padLow[last];
      for (let axis = 1; axis < last; axis++) src += (counter[axis] + padLow[axis]) * this.bufferStrides[axis];
      for (let k = 0; k < this.channels; k++) {
        divideRow(data, out + k * channelStride, this.sums, k * bufferChannel + src, countRow, padLow[last], rowLength);
      }
      out += rowLength;
      for (let axis = last - 1; axis >= 0; axis--) {
        if (++counter[axis] < (axis === 0 ? x1 - x0 : spatialShape[axis])) break;
        counter[axis] = 0;
      }
    }
  }

  /**
   * MONAI's count map along one row (padded indices `index` on the axes but the last): the weights of every
   * window covering the row, added in window order (lexicographic starts), so each float32 sum is MONAI's.
   */
  private weightSumRow(index: readonly number[], countRow: Float32Array): void {
    const { roiSize } = this.geometry;
    const last = roiSize.length - 1;
    const covers = index.map((i, axis) => this.covering[axis][i]);
    const lastStarts = this.geometry.startsPerAxis[last];
    const rowLength = roiSize[last];
    const weights = this.weights;
    countRow.fill(0);
    const pick = new Array<number>(last).fill(0);
    for (;;) {
      let base = 0;
      for (let axis = 0; axis < last; axis++) base = base * roiSize[axis] + (index[axis] - covers[axis][pick[axis]]);
      base *= rowLength;
      for (const s of lastStarts) {
        if (weights === null) for (let j = 0; j < rowLength; j++) countRow[s + j] += 1;
        else for (let j = 0; j < rowLength; j++) countRow[s + j] += weights[base + j];
      }
      let axis = last - 1;
      for (; axis >= 0; axis--) {
        if (++pick[axis] < covers[axis].length) break;
        pick[axis] = 0;
      }
      if (axis < 0) break;
    }
  }
}

// The hot loops, as small monomorphic functions over typed arrays.
function addRows(dst: Float32Array, origin: number, rows: Int32Array, rowLength: number, src: Float32Array, srcOffset: number): void {
  let s = srcOffset;
  for (let r = 0; r < rows.length; r++) {
    const d = origin + rows[r];
    for (let i = 0; i < rowLength; i++) dst[d + i] += src[s + i];
    s += rowLength;
  }
}

function addWeightedRows(
  dst: Float32Array,
  origin: number,
  rows: Int32Array,
  rowLength: number,
  src: Float32Array,
  srcOffset: number,
  weights: Float32Array,
): void {
  let s = srcOffset;
  let w = 0;
  for (let r = 0; r < rows.length; r++) {
    const d = origin + rows[r];
    // float32 product as torch computes it, then a float32 sum on store
    for (let i = 0; i < rowLength; i++) dst[d + i] += Math.fround(src[s + i] * weights[w + i]);
    s += rowLength;
    w += rowLength;
  }
}

function divideRow(out: Float32Array, o: number, sums: Float32Array, s: number, counts: Float32Array, c: number, length: number): void {
  for (let i = 0; i < length; i++) out[o + i] = sums[s + i] / counts[c + i];
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
