/** Small hand-made volumes and error catchers for the transform tests. */
import { BundleError } from '../../src/errors/index.js';
import { identity4, type DType, type TypedArray, type Volume } from '../../src/image/Volume.js';

/** A volume of `shape` [C, X, Y, Z] holding `values` (C order) as `dtype`. */
export function makeVolume(values: ArrayLike<number>, shape: number[] = [1, values.length, 1, 1], dtype: DType = 'float32'): Volume {
  const ctor = { uint8: Uint8Array, int8: Int8Array, int16: Int16Array, uint16: Uint16Array, int32: Int32Array, uint32: Uint32Array, float32: Float32Array, float64: Float64Array }[dtype];
  const data = ctor.from(Array.from(values)) as TypedArray;
  return {
    data,
    dtype,
    shape,
    affine: identity4(),
    meta: { originalAffine: identity4(), originalSpatialShape: shape.slice(1), filename: '/data/ct.nii.gz' },
    appliedOperations: [],
  };
}

export function valuesOf(value: unknown): number[] {
  return Array.from((value as Volume).data);
}

export { rejection, thrown } from '../helpers/errors.js';
