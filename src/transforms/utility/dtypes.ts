/**
 * dtype arguments as bundles write them, and value casts. MONAI configs name dtypes as Python objects
 * (`$torch.float32`, `$np.uint8`); a JSONata expression cannot produce those, so the port writes a string,
 * and we accept MONAI's spellings of that string too: `float32`, `torch.float32`, `np.float32`,
 * `numpy.float32`, `torch.float`, `float`, `int`, `bool` (stored as uint8), ...
 */
import { BundleError } from '../../errors/index.js';
import { allocate, DTYPES, dtypeOf, type DType, type TypedArray, type Volume, withParts } from '../../image/Volume.js';
import type { JsonSchema } from '../../registry/ComponentEntry.js';
import { closestNames } from '../../util/closest.js';

const SYNONYMS: Record<string, DType> = {
  float: 'float32', // torch.float is float32; numpy's float is float64, but MONAI configs write torch.float
  double: 'float64',
  int: 'int32', // torch.int is int32
  long: 'int32', // int64 does not fit a typed-array volume; label maps fit in int32
  int64: 'int32',
  short: 'int16',
  uint: 'uint32',
  byte: 'uint8',
  bool: 'uint8',
  bool_: 'uint8',
  char: 'int8',
};

const PREFIXES = ['torch.', 'np.', 'numpy.', '$torch.', '$np.', '$numpy.'];

/** Every spelling parseDType accepts (for `bundle schema` and error hints). */
export const DTYPE_SPELLINGS: string[] = [...DTYPES, ...Object.keys(SYNONYMS)].flatMap((n) => [n, `torch.${n}`, `np.${n}`]);

export const dtypeSchema: JsonSchema = {
  type: 'string',
  description: 'a dtype name: float32, float64, uint8, int8, int16, uint16, int32, uint32 (also torch.float32, np.uint8, ...)',
};

/** A dtype argument as a DType; unknown names are `invalid_arguments` with the closest spellings. */
export function parseDType(value: string, argument: string, transform: string, id?: string): DType {
  let name = value.trim();
  for (const p of PREFIXES) if (name.startsWith(p)) name = name.slice(p.length);
  if ((DTYPES as string[]).includes(name)) return name as DType;
  if (name in SYNONYMS) return SYNONYMS[name]!;
  throw new BundleError('invalid_arguments', `${transform} got an unknown dtype "${value}" for "${argument}".`, {
    hint: `use one of ${DTYPES.join(', ')} (the torch./np. prefixes are accepted)`,
    location: { id, path: `/${argument}` },
    candidates: closestNames(value, DTYPE_SPELLINGS),
  });
}

/**
 * The values of `data` as `dtype`, with typed-array conversion semantics: floats to integers truncate toward
 * zero and wrap modulo 2^bits (as torch's `.to()` does on x86 for in-range and most out-of-range values);
 * NaN becomes 0. Returns `data` itself when it already has that dtype.
 */
export function castData(data: TypedArray, dtype: DType): TypedArray {
  if (dtypeOf(data) === dtype) return data;
  const out = allocate(dtype, data.length);
  out.set(data);
  return out;
}

/** A volume with its values cast to `dtype` (the same volume when it already has it). */
export function castVolume(volume: Volume, dtype: DType): Volume {
  if (volume.dtype === dtype) return volume;
  return withParts(volume, { data: castData(volume.data, dtype), dtype });
}

export function isFloatDType(dtype: DType): boolean {
  return dtype === 'float32' || dtype === 'float64';
}
