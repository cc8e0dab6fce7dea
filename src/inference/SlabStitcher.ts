/**
 * Blends window outputs as MONAI's sliding_window_inference does (`out += p·w`, `count += w`, then
 * `out / count`, float32 throughout, in window order) but keeps only the rows along axis 0 that windows still
 * to come may touch. Windows arrive in meshgrid order (axis 0 slowest), so once every window starting before
 * `x` is done, the rows below `x` are final: they are divided, cropped to the unpadded image and handed on as
 * a slab, and the buffer slides forward. Memory: K · capacity · (padded rows of the other axes), not K · X · Y · Z.
 *
 * The weight sum (MONAI's count map) is not accumulated window by window: it depends only on the window
 * grid, so each plane's sums are computed when the plane is divided, adding the weights of the windows that
 * cover it in window order, which gives the same float32 sums as MONAI's loop without a count buffer.
 */
import type { OutputSlab } from './types.js';
import { stridesOf } from './windowInput.js';

/** upper bound of the weight-sum plane cache (it never exceeds a quarter of the stitch buffer either) */
const PLANE_CACHE_BYTES = 32 * 1024 * 1024;

/** a finished block of the output (the SlabInferer's OutputSlab) */
export type Slab = OutputSlab;

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
  /** per padded index along axis 0: the starts of the windows covering it, in order */
  private readonly covering0: number[][];
  /** offsets in a plane (all axes but 0) of each window's origin, in window order */
  private readonly planeWindowOrigins: number[];
  /** offsets in a plane of each roi row (axes 1 .. last-1) */
  private readonly roiPlaneRows: Int32Array;
  /** one plane of weight sums, reused when the cache below is full */
  private readonly plane: Float32Array;
  /**
   * Weight-sum planes by the offsets of the windows covering them along axis 0: planes with the same offsets
   * get the same float32 sums (same weights, same order), so each distinct plane is summed once. Constant
   * blending needs only the number of covering windows.
   */
  private readonly planeCache = new Map<string, Float32Array>();
  private readonly planeCacheLimit: number;
  private planeCacheBytes = 0;
  /** offsets (in the buffer, channel 0, relative to a window's first voxel) of each roi row */
  private readonly rowOffsets: Int32Array;
  private readonly bufferStrides: number[];
  private slabScratch?: Float32Array;

  /**
   * `sums`, when given, is the accumulator to use (`sumsLength` values): a view of a SharedArrayBuffer when
   * worker threads blend parts of each window into the same buffer (parallelStitch.ts).
   */
  constructor(geometry: StitchGeometry, channels: number, weights: Float32Array | null, sums?: Float32Array) {
    this.geometry = geometry;
    this.channels = channels;
    this.weights = weights;
    const rest = geometry.paddedShape.slice(1);
    this.rowSize = rest.reduce((a, b) => a * b, 1);
    this.sums = sums ?? new Float32Array(sumsLength(geometry, channels));
    const [starts0, ...planeStarts] = geometry.startsPerAxis;
    this.covering0 = Array.from({ length: geometry.paddedShape[0] }, (_, i) => starts0.filter((s) => s <= i && i < s + geometry.roiSize[0]));
    const planeStrides = stridesOf(rest);
    this.planeWindowOrigins = planeStarts.reduce<number[]>(
      (origins, starts, a) => origins.flatMap((o) => starts.map((s) => o + s * planeStrides[a])),
      [0],
    );
    this.roiPlaneRows = roiRowOffsets(geometry.roiSize.slice(1), planeStrides);
    this.plane = new Float32Array(this.rowSize);
    this.planeCacheLimit = Math.max(2 * this.plane.byteLength, Math.min(PLANE_CACHE_BYTES, this.sums.byteLength / 4));
    this.bufferStrides = stridesOf([geometry.capacity, ...rest]);
    this.rowOffsets = roiRowOffsets(geometry.roiSize, this.bufferStrides);
  }

  /** padded-space index along axis 0 of the buffer's first row */
  get baseRow(): number {
    return this.base;
  }

  /** For a stitcher sharing another's accumulator: follow its slides (only the owner slides the buffer). */
  followBase(base: number): void {
    this.base = base;
  }

  /**
   * Adds one window's output `[K, ...roi]` (at `offset` in `data`), weighted; or only its roi planes
   * `[from, to)` along axis 0, so that threads can blend disjoint parts of one window.
   */
  add(start: readonly number[], data: Float32Array, offset: number, from = 0, to = this.geometry.roiSize[0]): void {
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
    const rowsPerPlane = this.rowOffsets.length / roiSize[0];
    const rows = this.rowOffsets.subarray(from * rowsPerPlane, to * rowsPerPlane);
    const skip = from * rowsPerPlane * rowLength;
    let k = 0;
    // two channels per pass share the weight loads and the loop (measured ~1.3x faster than one at a time)
    if (weights !== null) {
      for (; k + 1 < this.channels; k += 2) {
        addWeightedRowPairs(this.sums, origin + k * channelStride, channelStride, rows, rowLength, data, offset + k * windowSize + skip, windowSize, weights, skip);
      }
    }
    for (; k < this.channels; k++) {
      const src = offset + k * windowSize + skip;
      if (weights === null) addRows(this.sums, origin + k * channelStride, rows, rowLength, data, src);
      else addWeightedRows(this.sums, origin + k * channelStride, rows, rowLength, data, src, weights, skip);
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
      const length = shape.reduce((a, b) => a * b, 1);
      // one array for every slab (the caller's only until its callback settles): a fresh 100 MB-1 GB array per
      // slab of a many-class output would pile up until the next garbage collection
      if (!this.slabScratch || this.slabScratch.length < length) this.slabScratch = new Float32Array(length);
      const data = this.slabScratch.subarray(0, length);
      this.divideInto(x0, x1, data, length / this.channels, 0);
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
  finalRows(boundary: number): [number, number] | null {
    const { spatialShape, padLow } = this.geometry;
    const lo = padLow[0];
    const first = Math.max(this.base, lo);
    const end = Math.min(boundary, lo + spatialShape[0]);
    return end > first ? [first - lo, end - lo] : null;
  }

  /** Moves the buffer so that `boundary` becomes row 0 (after the rows below it were divided out). */
  slide(boundary: number): void {
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
  divideInto(x0: number, x1: number, data: Float32Array, channelStride: number, offset: number): void {
    const { spatialShape, padLow, capacity } = this.geometry;
    const last = spatialShape.length - 1;
    const rowLength = spatialShape[last];
    const rowsPerPlane = spatialShape.slice(1, last).reduce((a, b) => a * b, 1);
    const bufferChannel = capacity * this.rowSize;
    const counter = new Array<number>(last).fill(0);
    let out = offset;
    for (let x = x0; x < x1; x++) {
      const px = x + padLow[0];
      const counts = this.weightSums(px);
      const planeOrigin = (px - this.base) * this.bufferStrides[0];
      counter.fill(0);
      for (let row = 0; row < rowsPerPlane; row++) {
        let inPlane = padLow[last];
        for (let axis = 1; axis < last; axis++) inPlane += (counter[axis] + padLow[axis]) * this.bufferStrides[axis];
        for (let k = 0; k < this.channels; k++) {
          divideRow(data, out + k * channelStride, this.sums, k * bufferChannel + planeOrigin + inPlane, counts, inPlane, rowLength);
        }
        out += rowLength;
        for (let axis = last - 1; axis >= 1; axis--) {
          if (++counter[axis] < spatialShape[axis]) break;
          counter[axis] = 0;
        }
      }
    }
  }

  /** The weight sums of the plane at padded index `px` of axis 0, from the cache when it was summed before. */
  private weightSums(px: number): Float32Array {
    const covering = this.covering0[px];
    const key = this.weights === null ? String(covering.length) : covering.map((s0) => px - s0).join(',');
    const cached = this.planeCache.get(key);
    if (cached) return cached;
    const fits = this.planeCacheBytes + this.plane.byteLength <= this.planeCacheLimit;
    const plane = fits ? new Float32Array(this.rowSize) : this.plane;
    this.weightSumPlane(px, plane);
    if (fits) {
      this.planeCache.set(key, plane);
      this.planeCacheBytes += plane.byteLength;
    }
    return plane;
  }

  /**
   * MONAI's count map on the plane at padded index `px` of axis 0: the weights of every window covering it,
   * added in window order (starts in lexicographic order), so each float32 sum is the one MONAI's loop makes.
   */
  private weightSumPlane(px: number, plane: Float32Array): void {
    const { roiSize } = this.geometry;
    const roiPlane = this.roiPlaneRows.length * roiSize[roiSize.length - 1];
    plane.fill(0);
    for (const s0 of this.covering0[px]) {
      const wBase = (px - s0) * roiPlane;
      for (const origin of this.planeWindowOrigins) {
        if (this.weights === null) addOnes(plane, origin, this.roiPlaneRows, roiSize[roiSize.length - 1]);
        else addRows(plane, origin, this.roiPlaneRows, roiSize[roiSize.length - 1], this.weights, wBase);
      }
    }
  }
}

// The hot loops, as small monomorphic functions over typed arrays, unrolled by four (measured ~1.5x faster
// in V8, which does not vectorise).
function addOnes(dst: Float32Array, origin: number, rows: Int32Array, rowLength: number): void {
  for (let r = 0; r < rows.length; r++) {
    const d = origin + rows[r];
    for (let i = 0; i < rowLength; i++) dst[d + i] += 1;
  }
}

function addRows(dst: Float32Array, origin: number, rows: Int32Array, rowLength: number, src: Float32Array, srcOffset: number): void {
  let s = srcOffset;
  for (let r = 0; r < rows.length; r++) {
    const d = origin + rows[r];
    let i = 0;
    for (; i + 3 < rowLength; i += 4) {
      dst[d + i] += src[s + i];
      dst[d + i + 1] += src[s + i + 1];
      dst[d + i + 2] += src[s + i + 2];
      dst[d + i + 3] += src[s + i + 3];
    }
    for (; i < rowLength; i++) dst[d + i] += src[s + i];
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
  weightOffset: number,
): void {
  let s = srcOffset;
  let w = weightOffset;
  for (let r = 0; r < rows.length; r++) {
    const d = origin + rows[r];
    // float32 product as torch computes it, then a float32 sum on store
    let i = 0;
    for (; i + 3 < rowLength; i += 4) {
      dst[d + i] += Math.fround(src[s + i] * weights[w + i]);
      dst[d + i + 1] += Math.fround(src[s + i + 1] * weights[w + i + 1]);
      dst[d + i + 2] += Math.fround(src[s + i + 2] * weights[w + i + 2]);
      dst[d + i + 3] += Math.fround(src[s + i + 3] * weights[w + i + 3]);
    }
    for (; i < rowLength; i++) dst[d + i] += Math.fround(src[s + i] * weights[w + i]);
    s += rowLength;
    w += rowLength;
  }
}

/** addWeightedRows for channels k and k + 1 at once (`dstStride`/`srcStride` apart). */
function addWeightedRowPairs(
  dst: Float32Array,
  origin: number,
  dstStride: number,
  rows: Int32Array,
  rowLength: number,
  src: Float32Array,
  srcOffset: number,
  srcStride: number,
  weights: Float32Array,
  weightOffset: number,
): void {
  let s = srcOffset;
  let w = weightOffset;
  for (let r = 0; r < rows.length; r++) {
    const d = origin + rows[r];
    const d2 = d + dstStride;
    const s2 = s + srcStride;
    for (let i = 0; i < rowLength; i++) {
      const wt = weights[w + i];
      dst[d + i] += Math.fround(src[s + i] * wt);
      dst[d2 + i] += Math.fround(src[s2 + i] * wt);
    }
    s += rowLength;
    w += rowLength;
  }
}

function divideRow(out: Float32Array, o: number, sums: Float32Array, s: number, counts: Float32Array, c: number, length: number): void {
  let i = 0;
  for (; i + 3 < length; i += 4) {
    out[o + i] = sums[s + i] / counts[c + i];
    out[o + i + 1] = sums[s + i + 1] / counts[c + i + 1];
    out[o + i + 2] = sums[s + i + 2] / counts[c + i + 2];
    out[o + i + 3] = sums[s + i + 3] / counts[c + i + 3];
  }
  for (; i < length; i++) out[o + i] = sums[s + i] / counts[c + i];
}

/** Values in the accumulator of a stitcher with this geometry and channel count. */
export function sumsLength(geometry: StitchGeometry, channels: number): number {
  return channels * geometry.capacity * geometry.paddedShape.slice(1).reduce((a, b) => a * b, 1);
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
