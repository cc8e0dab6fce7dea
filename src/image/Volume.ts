/**
 * The volume type (our MetaTensor).
 *
 * Memory layout: C order over `shape` (last axis fastest), `shape = [C, X, Y, Z]`, channel first, always
 * (a 3-D file loads with C = 1). This is MONAI's tensor layout and ONNX's, so a volume's data can be
 * handed to a network as `[1, C, X, Y, Z]` without copying. The NIfTI reader transposes once on the way in
 * (NIfTI stores X fastest) and the writer transposes back.
 *
 * `affine` is 4x4, row-major, float64, mapping the voxel index (i, j, k, 1) of the spatial axes to world
 * millimetres in RAS+ (as nibabel and MONAI's `affine` meta key).
 */
export type DType = 'uint8' | 'int8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'float32' | 'float64';

export type TypedArray =
  | Uint8Array
  | Int8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array;

/** 4x4 row-major matrix as nested arrays (JSON-friendly, like the MONAI references). */
export type Mat4 = number[][];

/**
 * One invertible step that was applied to a volume, recorded so that Invertd can replay the chain backwards.
 * `transform` is the registry name of the transform (`Spacingd`, `Orientationd`, `CropForegroundd`, ...);
 * `info` holds what that transform needs to undo itself (shapes, affines, boxes).
 */
export interface AppliedOperation {
  transform: string;
  info: Record<string, unknown>;
}

export interface VolumeMeta {
  /** the affine as loaded from the file (after MONAI's header rectification) */
  originalAffine: Mat4;
  /** the spatial shape as loaded from the file */
  originalSpatialShape: number[];
  /** the source file, absolute path, when loaded from disk */
  filename?: string;
  /** the dtype stored in the file, before scaling and casting */
  storedDtype?: DType;
  /**
   * names of label values that the bundle's metadata cannot give (an object segmented from clicks, a
   * zero-shot class), by value; carried into the run summary and the printed label table
   */
  labelNames?: Record<string, string>;
  /** the label ids the user asked for (a label prompt), so ids with no voxel can be reported as prompted but empty */
  promptedLabels?: number[];
  /** free-form facts (header fields, crop boxes...) that later transforms or writers may use */
  [key: string]: unknown;
}

export interface Volume {
  data: TypedArray;
  dtype: DType;
  /** [C, X, Y, Z] */
  shape: number[];
  affine: Mat4;
  meta: VolumeMeta;
  appliedOperations: AppliedOperation[];
}

const CONSTRUCTORS = {
  uint8: Uint8Array,
  int8: Int8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
  float32: Float32Array,
  float64: Float64Array,
} as const;

export const DTYPES = Object.keys(CONSTRUCTORS) as DType[];

export function allocate(dtype: DType, length: number): TypedArray {
  return new CONSTRUCTORS[dtype](length);
}

export function dtypeOf(data: TypedArray): DType {
  for (const [name, ctor] of Object.entries(CONSTRUCTORS)) if (data instanceof ctor) return name as DType;
  throw new TypeError('unsupported typed array');
}

export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

export function spatialShape(volume: Pick<Volume, 'shape'>): number[] {
  return volume.shape.slice(1);
}

export function identity4(): Mat4 {
  return [
    [1, 0, 0, 0],
    [0, 1, 0, 0],
    [0, 0, 1, 0],
    [0, 0, 0, 1],
  ];
}

export function cloneMat4(m: Mat4): Mat4 {
  return m.map((row) => row.slice());
}

/** A volume sharing nothing mutable with `source` except where `overrides` hands in new parts. */
export function withParts(source: Volume, overrides: Partial<Volume>): Volume {
  return {
    data: overrides.data ?? source.data,
    dtype: overrides.dtype ?? (overrides.data ? dtypeOf(overrides.data) : source.dtype),
    shape: overrides.shape ?? source.shape.slice(),
    affine: overrides.affine ?? cloneMat4(source.affine),
    meta: overrides.meta ?? { ...source.meta },
    appliedOperations: overrides.appliedOperations ?? source.appliedOperations.slice(),
  };
}

export function isVolume(value: unknown): value is Volume {
  return (
    typeof value === 'object' &&
    value !== null &&
    ArrayBuffer.isView((value as Volume).data) &&
    Array.isArray((value as Volume).shape) &&
    Array.isArray((value as Volume).affine)
  );
}
