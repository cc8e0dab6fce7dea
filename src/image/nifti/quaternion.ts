/**
 * The NIfTI qform: quaternion (b, c, d) + qfac + zooms + offset <-> 4x4 affine, following nibabel
 * (`quaternions.fillpositive`, `quat2mat`, `Nifti1Header.set_qform`) so that affines agree with nibabel's.
 */
import { polarOrthogonal } from '../geometry.js';
import type { Mat4 } from '../Volume.js';

export interface QformParams {
  quaternB: number;
  quaternC: number;
  quaternD: number;
  /** pixdim[0]: +1 or -1 */
  qfac: number;
  /** pixdim[1..3] */
  zooms: [number, number, number];
  qoffset: [number, number, number];
}

/**
 * nibabel's `fillpositive`: a = sqrt(1 - (b^2+c^2+d^2)), with slightly negative values (stored-precision
 * round-off up to `threshold`) taken as 0. Returns NaN when the quaternion is not a unit quaternion.
 */
function quaternionA(b: number, c: number, d: number, threshold: number): number {
  const w2 = 1 - (b * b + c * c + d * d);
  if (w2 < 0) return w2 < -threshold ? Number.NaN : 0;
  return Math.sqrt(w2);
}

/** Rotation matrix of a (not necessarily normalised) quaternion, as nibabel's quat2mat. */
function quaternionToRotation(w: number, x: number, y: number, z: number): number[][] {
  const n = w * w + x * x + y * y + z * z;
  if (n < 2.220446049250313e-16) return [[1, 0, 0], [0, 1, 0], [0, 0, 1]];
  const s = 2 / n;
  const X = x * s, Y = y * s, Z = z * s;
  const wX = w * X, wY = w * Y, wZ = w * Z;
  const xX = x * X, xY = x * Y, xZ = x * Z;
  const yY = y * Y, yZ = y * Z, zZ = z * Z;
  return [
    [1 - (yY + zZ), xY - wZ, xZ + wY],
    [xY + wZ, 1 - (xX + zZ), yZ - wX],
    [xZ - wY, yZ + wX, 1 - (xX + yY)],
  ];
}

/**
 * The qform affine (NIfTI method 2). `threshold` is 3 eps of the header's float type (nibabel's
 * quaternion_threshold). Returns an affine full of NaN when the quaternion is invalid; the caller reports it.
 */
export function qformToAffine(q: QformParams, threshold: number): Mat4 {
  const a = quaternionA(q.quaternB, q.quaternC, q.quaternD, threshold);
  const R = quaternionToRotation(a, q.quaternB, q.quaternC, q.quaternD);
  const scale = [q.zooms[0], q.zooms[1], q.zooms[2] * q.qfac];
  const affine: Mat4 = [];
  for (let r = 0; r < 3; r++) {
    affine.push([R[r]![0]! * scale[0]!, R[r]![1]! * scale[1]!, R[r]![2]! * scale[2]!, q.qoffset[r]!]);
  }
  affine.push([0, 0, 0, 1]);
  return affine;
}

function det3(m: number[][]): number {
  return (
    m[0]![0]! * (m[1]![1]! * m[2]![2]! - m[1]![2]! * m[2]![1]!) -
    m[0]![1]! * (m[1]![0]! * m[2]![2]! - m[1]![2]! * m[2]![0]!) +
    m[0]![2]! * (m[1]![0]! * m[2]![1]! - m[1]![1]! * m[2]![0]!)
  );
}

/** Unit quaternion (w >= 0) of a proper rotation matrix (Shepperd's method, numerically stable). */
function rotationToQuaternion(R: number[][]): [number, number, number, number] {
  const [m00, m01, m02] = R[0]! as [number, number, number];
  const [m10, m11, m12] = R[1]! as [number, number, number];
  const [m20, m21, m22] = R[2]! as [number, number, number];
  const trace = m00 + m11 + m22;
  let w: number, x: number, y: number, z: number;
  if (trace > 0) {
    const s = Math.sqrt(trace + 1) * 2;
    w = s / 4; x = (m21 - m12) / s; y = (m02 - m20) / s; z = (m10 - m01) / s;
  } else if (m00 > m11 && m00 > m22) {
    const s = Math.sqrt(1 + m00 - m11 - m22) * 2;
    w = (m21 - m12) / s; x = s / 4; y = (m01 + m10) / s; z = (m02 + m20) / s;
  } else if (m11 > m22) {
    const s = Math.sqrt(1 + m11 - m00 - m22) * 2;
    w = (m02 - m20) / s; x = (m01 + m10) / s; y = s / 4; z = (m12 + m21) / s;
  } else {
    const s = Math.sqrt(1 + m22 - m00 - m11) * 2;
    w = (m10 - m01) / s; x = (m02 + m20) / s; y = (m12 + m21) / s; z = s / 4;
  }
  const n = Math.hypot(w, x, y, z);
  const sign = w < 0 ? -1 : 1;
  return [(sign * w) / n, (sign * x) / n, (sign * y) / n, (sign * z) / n];
}

/**
 * qform parameters for an affine, as nibabel's `set_qform(affine, strip_shears=True)`: zooms are the column
 * norms, qfac -1 when the direction matrix is improper (its last column is then negated), shears stripped
 * by taking the orthogonal polar factor.
 */
export function affineToQform(affine: Mat4): QformParams {
  const zooms = [0, 1, 2].map((c) => Math.hypot(affine[0]![c]!, affine[1]![c]!, affine[2]![c]!)) as [
    number,
    number,
    number,
  ];
  const R = [0, 1, 2].map((r) => [0, 1, 2].map((c) => affine[r]![c]! / (zooms[c] || 1)));
  let qfac = 1;
  if (!(det3(R) > 0)) {
    qfac = -1;
    for (let r = 0; r < 3; r++) R[r]![2] = -R[r]![2]!;
  }
  const [, b, c, d] = rotationToQuaternion(polarOrthogonal(R));
  return {
    quaternB: b,
    quaternC: c,
    quaternD: d,
    qfac,
    zooms,
    qoffset: [affine[0]![3]!, affine[1]![3]!, affine[2]![3]!],
  };
}
