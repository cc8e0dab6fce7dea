/**
 * NIfTI-1/2 header parsing. nifti-reader-js reads the fields; this module checks the file is a single-file
 * NIfTI (sizeof_hdr and magic), applies the fixes nibabel applies on load (so affines match nibabel's),
 * and returns a plain, typed header. The affine is chosen in affine.ts, not here: nifti-reader-js's own
 * `affine` prefers the qform and skips nibabel's rules.
 */
import { NIFTI1, NIFTI2 } from 'nifti-reader-js';
import { BundleError } from '../../errors/index.js';
import type { DType } from '../Volume.js';
import { BYTES_PER_VOXEL, describeDatatypeCode, dtypeFromCode } from './datatypes.js';

export interface NiftiHeader {
  version: 1 | 2;
  littleEndian: boolean;
  /** 348 (NIfTI-1) or 540 (NIfTI-2) */
  sizeofHdr: number;
  /** dim[0..7]; dim[0] is the rank */
  dim: number[];
  datatypeCode: number;
  dtype: DType;
  /** pixdim[0..7] after nibabel's load-time fixes (qfac in {-1, 1}, spatial zooms positive and non-zero) */
  pixdim: number[];
  voxOffset: number;
  sclSlope: number;
  sclInter: number;
  qformCode: number;
  sformCode: number;
  quaternB: number;
  quaternC: number;
  quaternD: number;
  qoffset: [number, number, number];
  /** srow_x, srow_y, srow_z (3 rows of 4) as stored */
  srow: number[][];
  xyztUnits: number;
  intentCode: number;
  intentName: string;
  descrip: string;
  calMin: number;
  calMax: number;
}

/** Bytes to read before the header can be parsed (the larger of the two versions). */
export const MAX_HEADER_BYTES = 540;

const NIFTI1_SIZE = 348;
const NIFTI2_SIZE = 540;

function invalid(message: string, file: string): BundleError {
  return new BundleError('invalid_image', message, { location: { file } });
}

/** Detects version and byte order from sizeof_hdr; throws when the bytes are not a NIfTI header. */
export function sniffHeader(bytes: Uint8Array, file: string): { version: 1 | 2; littleEndian: boolean } {
  if (bytes.byteLength < 4) throw invalid(`the file is too short to be NIfTI (${bytes.byteLength} bytes)`, file);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const littleEndian of [true, false]) {
    const size = view.getInt32(0, littleEndian);
    if (size === NIFTI1_SIZE) return { version: 1, littleEndian };
    if (size === NIFTI2_SIZE) return { version: 2, littleEndian };
  }
  throw invalid(
    `the file is not a NIfTI image: sizeof_hdr is ${view.getInt32(0, true)}, expected 348 (NIfTI-1) or 540 (NIfTI-2)`,
    file,
  );
}

function magicAt(bytes: Uint8Array, offset: number): string {
  let text = '';
  for (let i = offset; i < offset + 3; i++) text += String.fromCharCode(bytes[i]!);
  return text;
}

/** Parses a complete header (at least sizeof_hdr bytes) and validates what reading the data depends on. */
export function parseHeader(bytes: Uint8Array, file: string): NiftiHeader {
  const { version, littleEndian } = sniffHeader(bytes, file);
  const size = version === 1 ? NIFTI1_SIZE : NIFTI2_SIZE;
  if (bytes.byteLength < size) {
    throw invalid(`the NIfTI-${version} header is truncated (${bytes.byteLength} of ${size} bytes)`, file);
  }
  const magic = magicAt(bytes, version === 1 ? 344 : 4);
  if (magic === 'ni1' || magic === 'ni2') {
    throw new BundleError('unsupported_image', 'header/image pairs (.hdr + .img) are not supported', {
      hint: 'convert the pair to a single .nii or .nii.gz file (e.g. with nibabel or fslchfiletype)',
      location: { file },
    });
  }
  if (magic !== `n+${version}`) {
    throw invalid(`the NIfTI-${version} magic string is "${magic}", expected "n+${version}"`, file);
  }
  // exactly sizeof_hdr bytes, so that nifti-reader-js does not try to parse extensions
  const headerBuffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + size) as ArrayBuffer;
  const parsed = version === 1 ? new NIFTI1() : new NIFTI2();
  parsed.littleEndian = littleEndian;
  try {
    parsed.readHeader(headerBuffer);
  } catch (cause) {
    throw new BundleError('invalid_image', 'the NIfTI header could not be parsed', { location: { file }, cause });
  }

  const view = new DataView(headerBuffer);
  const srow: number[][] = [];
  for (let r = 0; r < 3; r++) {
    const row: number[] = [];
    for (let c = 0; c < 4; c++) {
      row.push(
        version === 1
          ? view.getFloat32(280 + (r * 4 + c) * 4, littleEndian)
          : view.getFloat64(400 + (r * 4 + c) * 8, littleEndian),
      );
    }
    srow.push(row);
  }

  const dim = parsed.dims.slice(0, 8).map(Number);
  const rank = dim[0]!;
  if (!(rank >= 1 && rank <= 7)) throw invalid(`dim[0] (the number of dimensions) is ${rank}, expected 1 to 7`, file);
  for (let i = 1; i <= rank; i++) {
    if (!Number.isInteger(dim[i]) || dim[i]! < 1) {
      throw invalid(`dim[${i}] is ${dim[i]}; every dimension must be at least 1`, file);
    }
  }
  const dtype = dtypeFromCode(parsed.datatypeCode);
  if (!dtype) {
    throw new BundleError('unsupported_image', `the image datatype ${describeDatatypeCode(parsed.datatypeCode)} is not supported`, {
      location: { file },
    });
  }
  const voxOffset = Number(parsed.vox_offset);
  if (!Number.isFinite(voxOffset) || voxOffset < size || !Number.isInteger(voxOffset)) {
    throw invalid(`vox_offset is ${voxOffset}; for a single-file NIfTI-${version} it must be an integer >= ${size}`, file);
  }

  return {
    version,
    littleEndian,
    sizeofHdr: size,
    dim,
    datatypeCode: parsed.datatypeCode,
    dtype,
    pixdim: fixPixdim(parsed.pixDims.slice(0, 8).map(Number)),
    voxOffset,
    sclSlope: parsed.scl_slope,
    sclInter: parsed.scl_inter,
    qformCode: fixXformCode(parsed.qform_code),
    sformCode: fixXformCode(parsed.sform_code),
    quaternB: parsed.quatern_b,
    quaternC: parsed.quatern_c,
    quaternD: parsed.quatern_d,
    qoffset: [parsed.qoffset_x, parsed.qoffset_y, parsed.qoffset_z],
    srow,
    xyztUnits: parsed.xyzt_units,
    intentCode: parsed.intent_code,
    intentName: parsed.intent_name,
    descrip: parsed.description,
    calMin: parsed.cal_min,
    calMax: parsed.cal_max,
  };
}

/** nibabel's load-time fixes (_chk_qfac, _chk_pixdims): qfac not +-1 becomes 1, zero zooms 1, negative zooms abs. */
function fixPixdim(pixdim: number[]): number[] {
  while (pixdim.length < 8) pixdim.push(0);
  const fixed = pixdim.slice();
  if (fixed[0] !== 1 && fixed[0] !== -1) fixed[0] = 1;
  for (let i = 1; i <= 3; i++) {
    if (fixed[i] === 0) fixed[i] = 1;
    else if (fixed[i]! < 0) fixed[i] = -fixed[i]!;
  }
  return fixed;
}

/** nibabel sets codes outside the NIfTI set (0-4) to 0 on load. */
function fixXformCode(code: number): number {
  return Number.isInteger(code) && code >= 0 && code <= 4 ? code : 0;
}

/** The rank-sized shape in file order (X fastest), e.g. [X, Y, Z] or [X, Y, Z, T]. */
export function fileShape(header: NiftiHeader): number[] {
  return header.dim.slice(1, header.dim[0]! + 1);
}

export function dataByteLength(header: NiftiHeader): number {
  let n = BYTES_PER_VOXEL[header.dtype];
  for (const d of fileShape(header)) n *= d;
  return n;
}
