/**
 * Which affine a NIfTI file gets, as nibabel (`Nifti1Header.get_best_affine`) and then MONAI
 * (`correct_nifti_header_if_necessary`, spec section 2.1) decide it.
 */
import { allClose } from '../geometry.js';
import type { Mat4 } from '../Volume.js';
import type { NiftiHeader } from './header.js';
import { affineToQform, qformToAffine } from './quaternion.js';

/** Which header field the affine came from, and what MONAI's correction did. */
export type AffineSource = 'sform' | 'qform' | 'pixdim';
export type AffineCorrection = 'none' | 'sform_from_qform' | 'qform_from_sform' | 'zooms_from_affine';

export interface ChosenAffine {
  affine: Mat4;
  source: AffineSource;
  correction: AffineCorrection;
}

const F32_EPS = 1.1920928955078125e-7;
const F64_EPS = 2.220446049250313e-16;

export function sformAffine(header: NiftiHeader): Mat4 {
  return [...header.srow.map((row) => row.slice()), [0, 0, 0, 1]];
}

export function qformAffine(header: NiftiHeader): Mat4 {
  return qformToAffine(
    {
      quaternB: header.quaternB,
      quaternC: header.quaternC,
      quaternD: header.quaternD,
      qfac: header.pixdim[0]!,
      zooms: [header.pixdim[1]!, header.pixdim[2]!, header.pixdim[3]!],
      qoffset: header.qoffset,
    },
    3 * (header.version === 1 ? F32_EPS : F64_EPS),
  );
}

/** nibabel's `shape_zoom_affine` with the x flip: the fallback when neither sform nor qform is set. */
export function pixdimAffine(header: NiftiHeader): Mat4 {
  const rank = header.dim[0]!;
  const shape: number[] = [];
  const zooms: number[] = [];
  for (let i = 0; i < 3; i++) {
    shape.push(i < rank ? header.dim[i + 1]! : 1);
    zooms.push(i < rank ? header.pixdim[i + 1]! : 1);
  }
  zooms[0] = -zooms[0]!;
  const affine: Mat4 = [
    [zooms[0]!, 0, 0, 0],
    [0, zooms[1]!, 0, 0],
    [0, 0, zooms[2]!, 0],
    [0, 0, 0, 1],
  ];
  for (let i = 0; i < 3; i++) affine[i]![3] = (-(shape[i]! - 1) / 2) * zooms[i]!;
  return affine;
}

function bestAffine(header: NiftiHeader): { affine: Mat4; source: AffineSource } {
  if (header.sformCode !== 0) return { affine: sformAffine(header), source: 'sform' };
  if (header.qformCode !== 0) return { affine: qformAffine(header), source: 'qform' };
  return { affine: pixdimAffine(header), source: 'pixdim' };
}

/** MONAI's `affine_to_spacing(affine, r)`: norms of the first r columns over the first r rows. */
function columnNorms(affine: Mat4, r: number): number[] {
  const norms: number[] = [];
  for (let c = 0; c < r; c++) {
    let sum = 0;
    for (let row = 0; row < r; row++) sum += affine[row]![c]! ** 2;
    norms.push(Math.sqrt(sum));
  }
  return norms;
}

/** An affine as it reads back after being stored in the header's float type. */
function storedPrecision(affine: Mat4, version: 1 | 2): Mat4 {
  return version === 1 ? affine.map((row) => row.map(Math.fround)) : affine.map((row) => row.slice());
}

/**
 * nibabel's best affine, then MONAI's `correct_nifti_header_if_necessary` / `rectify_header_sform_qform`:
 * when the header zooms disagree with the affine's column norms, the sform is replaced by a matching qform
 * (or the qform by a matching sform); otherwise only the zooms change and the affine is kept.
 */
export function chooseAffine(header: NiftiHeader): ChosenAffine {
  const best = bestAffine(header);
  const rank = header.dim[0]!;
  // MONAI leaves 5-D and higher images alone; a rank above 4 would also overrun the 4x4 affine
  if (rank >= 5) return { ...best, correction: 'none' };
  const zooms = header.pixdim.slice(1, rank + 1);
  if (allClose(zooms, columnNorms(best.affine, rank))) return { ...best, correction: 'none' };

  const sform = sformAffine(header);
  const qform = qformAffine(header);
  const sformMismatch = !allClose(columnNorms(sform, rank), zooms);
  const qformMismatch = !allClose(columnNorms(qform, rank), zooms);
  if (header.sformCode !== 0) {
    if (!sformMismatch) return { ...best, correction: 'none' };
    if (!qformMismatch) {
      // set_sform(get_qform()): the qform is stored into srow (float32 in NIfTI-1) and becomes the affine
      return { affine: storedPrecision(qform, header.version), source: 'qform', correction: 'sform_from_qform' };
    }
  }
  if (header.qformCode !== 0) {
    if (!qformMismatch) return { ...best, correction: 'none' };
    if (!sformMismatch) {
      // set_qform(get_sform()): the sform is encoded as a quaternion, stored, and read back as the qform
      const params = affineToQform(sform);
      const stored = header.version === 1 ? Math.fround : (v: number) => v;
      const affine = qformToAffine(
        {
          quaternB: stored(params.quaternB),
          quaternC: stored(params.quaternC),
          quaternD: stored(params.quaternD),
          qfac: params.qfac,
          zooms: params.zooms.map(stored) as [number, number, number],
          qoffset: params.qoffset.map(stored) as [number, number, number],
        },
        3 * (header.version === 1 ? F32_EPS : F64_EPS),
      );
      return { affine, source: 'sform', correction: 'qform_from_sform' };
    }
  }
  return { ...best, correction: 'zooms_from_affine' };
}

export function isFiniteAffine(affine: Mat4): boolean {
  return affine.every((row) => row.every(Number.isFinite));
}
