/**
 * Axis codes and reorientation, following nibabel's `orientations` module (which MONAI's Orientation
 * uses): an orientation ("ornt") gives, for each voxel axis of an array, the world axis it runs along
 * (0 = x, 1 = y, 2 = z) and whether it runs along it (+1) or against it (-1). Axis codes ("RAS") name the
 * direction each voxel axis points as its index grows.
 *
 * Reorienting an array is a flip of some axes followed by a transpose: an exact strided copy, no
 * interpolation.
 */
import { BundleError } from '../errors/index.js';
import { identity, linearPart, multiply, polarOrthogonal, spacingOf, type Matrix } from './geometry.js';
import { allocate, dtypeOf, type Mat4, type TypedArray } from './Volume.js';

/** One row per voxel axis: [world axis, +1 | -1]. */
export type Ornt = Array<[number, 1 | -1]>;

/** Labels for the (low, high) end of each world axis, as nibabel's default. */
export const DEFAULT_LABELS: ReadonlyArray<readonly [string, string]> = [
  ['L', 'R'],
  ['P', 'A'],
  ['I', 'S'],
];

/**
 * nibabel's `io_orientation`: normalise the columns, take the closest orthogonal matrix, then assign each
 * voxel axis in turn to the world axis with the largest absolute component (ties to the lowest axis),
 * removing that world axis from consideration. A degenerate (all-zero) axis is an error here, where
 * nibabel would return NaN.
 */
export function ioOrientation(affine: Mat4): Ornt {
  const rzs = linearPart(affine);
  const zooms = spacingOf(affine);
  const rs = rzs.map((row) => row.map((v, j) => v / zooms[j]!));
  const r = polarOrthogonal(rs);
  const ornt: Ornt = [];
  for (let inAxis = 0; inAxis < 3; inAxis++) {
    const col = r.map((row) => row[inAxis]!);
    if (col.every((v) => Math.abs(v) <= 1e-8)) {
      throw new BundleError('invalid_data', `Voxel axis ${inAxis} of the affine has no direction, so the orientation is undefined.`, {
        hint: 'check the image header: every column of the affine must be non-zero and independent',
        location: { path: JSON.stringify(affine) },
      });
    }
    let outAxis = 0;
    for (let k = 1; k < 3; k++) if (Math.abs(col[k]!) > Math.abs(col[outAxis]!)) outAxis = k;
    ornt.push([outAxis, col[outAxis]! < 0 ? -1 : 1]);
    for (let j = 0; j < 3; j++) r[outAxis]![j] = 0;
  }
  return ornt;
}

/** nibabel's `axcodes2ornt`: "RAS" -> [[0,1],[1,1],[2,1]]; unknown or repeated axes are errors. */
export function axcodesToOrnt(axcodes: string, labels: ReadonlyArray<readonly [string, string]> = DEFAULT_LABELS): Ornt {
  const codes = [...axcodes];
  const ornt: Ornt = codes.map((code) => {
    const axis = labels.findIndex((pair) => pair.includes(code));
    if (axis < 0) {
      throw new BundleError('invalid_arguments', `Axis code "${code}" in "${axcodes}" is not one of ${labels.flat().join(', ')}.`, {
        hint: 'write axcodes as one letter per axis from (L|R)(P|A)(I|S), e.g. "RAS" or "LPS"',
        location: { path: '/axcodes' },
      });
    }
    return [axis, labels[axis]![0] === code ? -1 : 1];
  });
  const used = new Set(ornt.map(([axis]) => axis));
  if (used.size !== ornt.length) {
    throw new BundleError('invalid_arguments', `Axis codes "${axcodes}" name the same world axis twice.`, {
      hint: 'each of the three world axes must appear once, e.g. "RAS", "LPS", "ASR"',
      location: { path: '/axcodes' },
    });
  }
  return ornt;
}

/** nibabel's `ornt2axcodes`. */
export function orntToAxcodes(ornt: Ornt, labels: ReadonlyArray<readonly [string, string]> = DEFAULT_LABELS): string {
  return ornt.map(([axis, flip]) => labels[axis]![flip === -1 ? 0 : 1]).join('');
}

/** nibabel's `aff2axcodes`: the axis codes of an affine ("RAS", "LPS", ...). */
export function affineToAxcodes(affine: Mat4, labels: ReadonlyArray<readonly [string, string]> = DEFAULT_LABELS): string {
  return orntToAxcodes(ioOrientation(affine), labels);
}

/**
 * nibabel's `ornt_transform`: the orientation that takes an array in `start` orientation to `end`.
 * Row i says where input voxel axis i goes (output axis) and whether it is flipped.
 */
export function orntTransform(start: Ornt, end: Ornt): Ornt {
  if (start.length !== end.length) {
    throw new BundleError('invalid_arguments', `Axis codes for ${end.length} axes cannot reorient an image with ${start.length} spatial axes.`, {
      hint: 'give one axis code per spatial axis, e.g. "RAS" for a 3-D image',
      location: { path: '/axcodes' },
    });
  }
  const result: Ornt = new Array(start.length);
  end.forEach(([endOut, endFlip], endIn) => {
    const startIn = start.findIndex(([startOut]) => startOut === endOut);
    if (startIn < 0) throw new BundleError('invalid_arguments', `World axis ${endOut} is missing from the image orientation.`);
    result[startIn] = [endIn, start[startIn]![1] === endFlip ? 1 : -1];
  });
  return result;
}

/** True when the orientation changes nothing (no flip, no transpose). */
export function isIdentityOrnt(ornt: Ornt): boolean {
  return ornt.every(([axis, flip], i) => axis === i && flip === 1);
}

/**
 * nibabel's `inv_ornt_aff`: the 4x4 matrix mapping an index of the reoriented array back to an index of
 * the input, so that `newAffine = affine . invOrntAffine(ornt, shape)` keeps every voxel's world position.
 */
export function invOrntAffine(ornt: Ornt, spatialShape: readonly number[]): Mat4 {
  const p = ornt.length;
  const eye = identity(p + 1);
  const undoReorder: Matrix = [...ornt.map(([axis]) => eye[axis]!), eye[p]!];
  const undoFlip = identity(p + 1);
  ornt.forEach(([, flip], i) => {
    const centre = -(spatialShape[i]! - 1) / 2;
    undoFlip[i]![i] = flip;
    undoFlip[i]![p] = flip * centre - centre;
  });
  return multiply(undoFlip, undoReorder);
}

/** The spatial shape after reorienting by `ornt`. */
export function reorientedShape(ornt: Ornt, spatialShape: readonly number[]): number[] {
  const out = new Array<number>(spatialShape.length);
  ornt.forEach(([axis], i) => (out[axis] = spatialShape[i]!));
  return out;
}

/**
 * Reorients channel-first C-order data `[C, ...spatialShape]` (3 spatial axes): input axis i becomes output
 * axis ornt[i][0], reversed when ornt[i][1] is -1. One strided pass, any dtype.
 */
export function reorientData(data: TypedArray, shape: readonly number[], ornt: Ornt): { data: TypedArray; shape: number[] } {
  const [channels, ...spatial] = shape as [number, number, number, number];
  const outSpatial = reorientedShape(ornt, spatial);
  const inStrides = [spatial[1]! * spatial[2]!, spatial[2]!, 1];
  // For each output axis: the input step per output index, and the input offset of output index 0.
  const step = [0, 0, 0];
  let start = 0;
  ornt.forEach(([axis, flip], i) => {
    step[axis] = flip * inStrides[i]!;
    if (flip === -1) start += (spatial[i]! - 1) * inStrides[i]!;
  });
  const [n0, n1, n2] = outSpatial as [number, number, number];
  const [s0, s1, s2] = step as [number, number, number];
  const volumeSize = n0 * n1 * n2;
  const out = allocate(dtypeOf(data), data.length);
  let o = 0;
  for (let c = 0; c < channels; c++) {
    const base = c * volumeSize + start;
    for (let a = 0; a < n0; a++) {
      for (let b = 0; b < n1; b++) {
        let src = base + a * s0 + b * s1;
        for (let k = 0; k < n2; k++, src += s2) out[o++] = data[src]!;
      }
    }
  }
  return { data: out, shape: [channels, ...outSpatial] };
}
