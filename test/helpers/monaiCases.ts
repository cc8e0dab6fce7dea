/**
 * The MONAI reference cases under test/fixtures/monai/<Transform>.json, written by
 * tools/monai/transform_references.py: arguments, inputs and MONAI 1.5's outputs as flat C-order arrays.
 */
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { identity4, type DType, type Volume } from '../../src/image/Volume.js';
import { makeVolume } from '../transforms/volumes.js';
import { repoPath } from './shared.js';

export interface MonaiArray {
  shape: number[];
  dtype: string;
  data: number[];
}

export interface MonaiCase {
  name: string;
  args: Record<string, unknown>;
  input: Record<string, MonaiArray | unknown>;
  output: Record<string, MonaiArray | unknown>;
}

export function monaiCases(transform: string): MonaiCase[] {
  return (JSON.parse(readFileSync(repoPath('test', 'fixtures', 'monai', `${transform}.json`), 'utf8')) as { cases: MonaiCase[] }).cases;
}

export function isMonaiArray(value: unknown): value is MonaiArray {
  return typeof value === 'object' && value !== null && Array.isArray((value as MonaiArray).shape) && Array.isArray((value as MonaiArray).data);
}

/** MONAI's int64 and bool have no typed-array volume; they load as int32 and uint8. */
export function volumeOf(array: MonaiArray): Volume {
  const dtype = ({ int64: 'int32', bool: 'uint8' } as Record<string, DType>)[array.dtype] ?? (array.dtype as DType);
  const shape = array.shape.length === 3 ? [1, ...array.shape] : array.shape;
  const v = makeVolume(array.data, shape, dtype);
  return { ...v, affine: identity4() };
}

/** Shape exact; values equal, or within `tolerance` (absolute, plus the same relative to the value). */
export function expectArray(actual: Volume, expected: MonaiArray, tolerance: number, what: string): void {
  expect(actual.shape, `${what}: shape`).to.deep.equal(expected.shape.length === 3 ? [1, ...expected.shape] : expected.shape);
  let worst = -1;
  let worstDiff = 0;
  for (let i = 0; i < expected.data.length; i++) {
    const a = actual.data[i]!;
    const e = expected.data[i]!;
    const d = Number.isNaN(e) && Number.isNaN(a) ? 0 : Math.abs(a - e);
    if (!(d <= tolerance * (1 + Math.abs(e))) && !(d <= worstDiff)) {
      worst = i;
      worstDiff = d;
    }
  }
  expect(worst, `${what}: voxel ${worst} ours ${actual.data[worst]} MONAI ${expected.data[worst]} (tolerance ${tolerance})`).to.equal(-1);
}
