import type { DType } from '../Volume.js';

/** NIfTI datatype codes of the scalar types a Volume can hold (nifti1.h DT_*). */
export const DTYPE_TO_CODE: Record<DType, number> = {
  uint8: 2,
  int16: 4,
  int32: 8,
  float32: 16,
  float64: 64,
  int8: 256,
  uint16: 512,
  uint32: 768,
};

export const BYTES_PER_VOXEL: Record<DType, number> = {
  uint8: 1,
  int8: 1,
  int16: 2,
  uint16: 2,
  int32: 4,
  uint32: 4,
  float32: 4,
  float64: 8,
};

const CODE_TO_DTYPE = new Map<number, DType>(
  Object.entries(DTYPE_TO_CODE).map(([dtype, code]) => [code, dtype as DType]),
);

/** Names of the codes we recognise but cannot hold in a Volume, for the error message. */
const UNSUPPORTED_NAMES: Record<number, string> = {
  1: 'binary (1 bit)',
  32: 'complex64',
  128: 'RGB24',
  1024: 'int64',
  1280: 'uint64',
  1536: 'float128',
  1792: 'complex128',
  2048: 'complex256',
  2304: 'RGBA32',
};

export function dtypeFromCode(code: number): DType | undefined {
  return CODE_TO_DTYPE.get(code);
}

export function describeDatatypeCode(code: number): string {
  return UNSUPPORTED_NAMES[code] ?? `unknown datatype code ${code}`;
}

export function isIntegerDtype(dtype: DType): boolean {
  return !dtype.startsWith('float');
}

/** Inclusive value range of an integer dtype. */
export function integerRange(dtype: DType): [number, number] {
  switch (dtype) {
    case 'uint8':
      return [0, 255];
    case 'int8':
      return [-128, 127];
    case 'int16':
      return [-32768, 32767];
    case 'uint16':
      return [0, 65535];
    case 'int32':
      return [-2147483648, 2147483647];
    case 'uint32':
      return [0, 4294967295];
    default:
      return [-Infinity, Infinity];
  }
}
