/**
 * Voxel-grid geometry: the affine and what it is made of (spacing, origin, direction), index <-> world
 * mapping, and the small float64 matrix helpers the spatial transforms need.
 *
 * Conventions (see Volume.ts): `affine` is 4x4 row-major, mapping the voxel index (i, j, k, 1) to world
 * millimetres (RAS+). `spacing` is the norm of each of the affine's first three columns, `origin` its
 * translation column (the centre of voxel (0,0,0)), and `direction` a 3x3 matrix whose COLUMN j is the unit
 * world vector of voxel axis j, so that affine[0:3][0:3] = direction . diag(spacing).
 */
import { BundleError } from '../errors/index.js';
import type { Mat4 } from './Volume.js';

/** A square matrix as nested rows (3x3 or 4x4 here). */
export type Matrix = number[][];
export type Vec3 = [number, number, number];

export function identity(n: number): Matrix {
  return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
}

export function multiply(a: Matrix, b: Matrix): Matrix {
  const n = a.length;
  const m = b[0]!.length;
  const inner = b.length;
  const out: Matrix = [];
  for (let i = 0; i < n; i++) {
    const row = new Array<number>(m).fill(0);
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let k = 0; k < inner; k++) s += a[i]![k]! * b[k]![j]!;
      row[j] = s;
    }
    out.push(row);
  }
  return out;
}

export function transpose(a: Matrix): Matrix {
  return a[0]!.map((_, j) => a.map((row) => row[j]!));
}

/**
 * The inverse by Gauss-Jordan elimination with partial pivoting (numpy's `solve` uses LU with partial
 * pivoting too). A singular matrix is an `invalid_data` error: every affine here must be invertible.
 */
export function invert(m: Matrix, what = 'affine'): Matrix {
  const n = m.length;
  const a = m.map((row, i) => [...row, ...identity(n)[i]!]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r]![col]!) > Math.abs(a[pivot]![col]!)) pivot = r;
    const p = a[pivot]![col]!;
    if (p === 0 || !Number.isFinite(p)) {
      throw new BundleError('invalid_data', `The ${what} ${JSON.stringify(m)} is not invertible.`, {
        hint: 'check the image header: every voxel axis needs a non-zero, independent direction',
      });
    }
    [a[col], a[pivot]] = [a[pivot]!, a[col]!];
    const row = a[col]!;
    for (let j = 0; j < 2 * n; j++) row[j] = row[j]! / p;
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = a[r]![col]!;
      if (f === 0) continue;
      const target = a[r]!;
      for (let j = 0; j < 2 * n; j++) target[j] = target[j]! - f * row[j]!;
    }
  }
  return a.map((row) => row.slice(n));
}

/** numpy's `allclose`: |a - b| <= atol + rtol * |b| element-wise. */
export function allClose(a: Matrix | readonly number[], b: Matrix | readonly number[], atol = 1e-8, rtol = 1e-5): boolean {
  const fa = (a as unknown[]).flat(1) as number[];
  const fb = (b as unknown[]).flat(1) as number[];
  if (fa.length !== fb.length) return false;
  return fa.every((x, i) => Math.abs(x - fb[i]!) <= atol + rtol * Math.abs(fb[i]!));
}

/** The upper-left 3x3 (rotation, zoom and shear) of an affine. */
export function linearPart(affine: Mat4): Matrix {
  return affine.slice(0, 3).map((row) => row.slice(0, 3));
}

/** An affine from its 3x3 linear part and translation. */
export function composeAffine(linear: Matrix, translation: readonly number[]): Mat4 {
  return [
    [linear[0]![0]!, linear[0]![1]!, linear[0]![2]!, translation[0]!],
    [linear[1]![0]!, linear[1]![1]!, linear[1]![2]!, translation[1]!],
    [linear[2]![0]!, linear[2]![1]!, linear[2]![2]!, translation[2]!],
    [0, 0, 0, 1],
  ];
}

/**
 * Voxel size per spatial axis: the column norms of the linear part. A zero column gives 1, as MONAI's
 * `affine_to_spacing(suppress_zeros=True)` does, so that a degenerate axis never divides by zero.
 */
export function spacingOf(affine: Mat4): Vec3 {
  const s = [0, 1, 2].map((j) => Math.hypot(affine[0]![j]!, affine[1]![j]!, affine[2]![j]!));
  return s.map((v) => (v === 0 ? 1 : v)) as Vec3;
}

/** World position of the centre of voxel (0,0,0). */
export function originOf(affine: Mat4): Vec3 {
  return [affine[0]![3]!, affine[1]![3]!, affine[2]![3]!];
}

/** Unit column vectors of the voxel axes; column j is the world direction in which index j grows. */
export function directionOf(affine: Mat4): Matrix {
  const s = spacingOf(affine);
  return [0, 1, 2].map((i) => [0, 1, 2].map((j) => affine[i]![j]! / s[j]!));
}

export function affineFrom(parts: { spacing: readonly number[]; origin: readonly number[]; direction?: Matrix }): Mat4 {
  const d = parts.direction ?? identity(3);
  const linear = [0, 1, 2].map((i) => [0, 1, 2].map((j) => d[i]![j]! * parts.spacing[j]!));
  return composeAffine(linear, parts.origin);
}

/** Applies a 4x4 affine to a 3-vector (a point, with the implicit 1). */
export function applyAffine(affine: Mat4, p: readonly number[]): Vec3 {
  const out: number[] = [];
  for (let i = 0; i < 3; i++) out.push(affine[i]![0]! * p[0]! + affine[i]![1]! * p[1]! + affine[i]![2]! * p[2]! + affine[i]![3]!);
  return out as Vec3;
}

/** Continuous voxel index -> world millimetres. */
export function indexToWorld(affine: Mat4, index: readonly number[]): Vec3 {
  return applyAffine(affine, index);
}

/** World millimetres -> continuous voxel index (not rounded). */
export function worldToIndex(affine: Mat4, world: readonly number[]): Vec3 {
  return applyAffine(invert(affine), world);
}

/** True when each voxel axis maps to at most one index axis of the other grid (a diagonal linear part). */
export function isDiagonal(linear: Matrix, tol = 0): boolean {
  for (let i = 0; i < linear.length; i++) {
    for (let j = 0; j < linear.length; j++) if (i !== j && Math.abs(linear[i]![j]!) > tol) return false;
  }
  return true;
}

/**
 * Cholesky factor of a symmetric positive-definite 3x3 matrix, returned as the UPPER triangular U with
 * m = U^T U and a positive diagonal (numpy's `cholesky(m).T`).
 */
export function choleskyUpper(m: Matrix): Matrix {
  const n = m.length;
  const l: Matrix = identity(n).map((row) => row.fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = m[i]![j]!;
      for (let k = 0; k < j; k++) s -= l[i]![k]! * l[j]![k]!;
      if (i === j) {
        if (!(s > 0)) {
          throw new BundleError('invalid_data', 'The affine has linearly dependent voxel axes.', {
            hint: 'check the image header: the three columns of the affine must be independent',
          });
        }
        l[i]![i] = Math.sqrt(s);
      } else {
        l[i]![j] = s / l[j]![j]!;
      }
    }
  }
  return transpose(l);
}

/**
 * Eigen-decomposition of a symmetric matrix by cyclic Jacobi rotations: `values[k]` with eigenvector
 * column k of `vectors`. Small matrices only (3x3).
 */
export function symmetricEigen(m: Matrix): { values: number[]; vectors: Matrix } {
  const n = m.length;
  const a = m.map((row) => row.slice());
  const v = identity(n);
  for (let sweep = 0; sweep < 50; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p]![q]! ** 2;
    if (off < 1e-300) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p]![q]!;
        if (apq === 0) continue;
        const theta = (a[q]![q]! - a[p]![p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k]![p]!;
          const akq = a[k]![q]!;
          a[k]![p] = c * akp - s * akq;
          a[k]![q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p]![k]!;
          const aqk = a[q]![k]!;
          a[p]![k] = c * apk - s * aqk;
          a[q]![k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k]![p]!;
          const vkq = v[k]![q]!;
          v[k]![p] = c * vkp - s * vkq;
          v[k]![q] = s * vkp + c * vkq;
        }
      }
    }
  }
  return { values: a.map((row, i) => row[i]!), vectors: v };
}

/**
 * The orthogonal factor of the polar decomposition of `m` (the closest shear-free matrix, as nibabel's
 * `io_orientation` takes it from the SVD), restricted to the singular directions above nibabel's rank
 * tolerance `max(S) * n * eps`; a rank-deficient input gives zero columns there.
 */
export function polarOrthogonal(m: Matrix): Matrix {
  const n = m.length;
  const { values, vectors } = symmetricEigen(multiply(transpose(m), m));
  const sigma = values.map((x) => Math.sqrt(Math.max(x, 0)));
  const tol = Math.max(...sigma) * n * Number.EPSILON;
  const r: Matrix = identity(n).map((row) => row.fill(0));
  for (let k = 0; k < n; k++) {
    if (!(sigma[k]! > tol)) continue;
    const vk = vectors.map((row) => row[k]!);
    const uk = m.map((row) => row.reduce((s, x, j) => s + x * vk[j]!, 0) / sigma[k]!);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) r[i]![j] = r[i]![j]! + uk[i]! * vk[j]!;
  }
  return r;
}
