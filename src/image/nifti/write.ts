/**
 * writeNifti: Volume -> single-file NIfTI-1 (.nii, or .nii.gz through zlib's gzip), little-endian,
 * vox_offset 352, sform and qform both set from the volume's affine (as MONAI's NibabelWriter does, with
 * code 1 unless told otherwise). The file is written to a temporary name in the target folder and renamed
 * into place, so a failure never leaves a partial output; the volume's own source file is never overwritten.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { NIFTI1 } from 'nifti-reader-js';
import { BundleError } from '../../errors/index.js';
import { tempPathBeside } from '../../util/atomicWrite.js';
import { allocate, type DType, numel, type TypedArray, type Volume } from '../Volume.js';
import { BYTES_PER_VOXEL, DTYPE_TO_CODE, isIntegerDtype } from './datatypes.js';
import { affineToQform } from './quaternion.js';
import { gatherPlanes, planesPerSlab } from './transpose.js';

export interface WriteNiftiOptions {
  /** stored dtype; default the volume's dtype */
  dtype?: DType;
  /** sform_code / qform_code; default 1 (scanner anatomical), as MONAI writes */
  sformCode?: number;
  qformCode?: number;
  /** the header's descrip (at most 79 ASCII characters are kept) */
  descrip?: string;
  /** gzip the file; default: the file name ends with .gz */
  compress?: boolean;
  /** gzip level; default 1, nibabel's default */
  compressionLevel?: number;
}

const VOX_OFFSET = 352;

function writeError(message: string, file: string, hint?: string, cause?: unknown): BundleError {
  return new BundleError('write_failed', message, { hint, location: { file }, cause });
}

/** Writes `volume` to `file` and returns the absolute path written. */
export async function writeNifti(file: string, volume: Volume, options: WriteNiftiOptions = {}): Promise<string> {
  const absolute = path.resolve(file);
  const dtype = options.dtype ?? volume.dtype;
  checkWritable(absolute, volume, dtype);
  const header = encodeHeader(volume, dtype, options);
  const compress = options.compress ?? absolute.toLowerCase().endsWith('.gz');

  const folder = path.dirname(absolute);
  const temp = tempPathBeside(absolute);
  try {
    await mkdir(folder, { recursive: true });
    const source = Readable.from(fileChunks(header, volume, dtype));
    const sink = createWriteStream(temp, { flags: 'wx' });
    if (compress) await pipeline(source, createGzip({ level: options.compressionLevel ?? 1, chunkSize: 1 << 20 }), sink);
    else await pipeline(source, sink);
    await rename(temp, absolute);
  } catch (cause) {
    await rm(temp, { force: true }).catch(() => undefined);
    const code = (cause as NodeJS.ErrnoException).code;
    const reason = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'ENOSPC' ? 'no space left' : (cause as Error).message;
    throw writeError(`the image could not be written (${reason})`, absolute, undefined, cause);
  }
  return absolute;
}

function checkWritable(absolute: string, volume: Volume, dtype: DType): void {
  const source = typeof volume.meta.filename === 'string' ? path.resolve(volume.meta.filename) : undefined;
  if (source !== undefined && source === absolute) {
    throw writeError('refusing to write over the input image', absolute, 'choose another output folder or postfix');
  }
  if (!(dtype in DTYPE_TO_CODE)) {
    throw writeError(`the output dtype "${String(dtype)}" is not supported`, absolute, `use one of ${Object.keys(DTYPE_TO_CODE).join(', ')}`);
  }
  if (volume.shape.length !== 4 || volume.shape.some((d) => !Number.isInteger(d) || d < 1)) {
    throw writeError(`the volume shape [${volume.shape.join(', ')}] is not [C, X, Y, Z]`, absolute);
  }
  if (numel(volume.shape) !== volume.data.length) {
    throw writeError(`the volume holds ${volume.data.length} values but its shape [${volume.shape.join(', ')}] needs ${numel(volume.shape)}`, absolute);
  }
  const a = volume.affine;
  if (a.length !== 4 || a.some((row) => row.length !== 4 || row.some((v) => !Number.isFinite(v)))) {
    throw writeError('the volume affine is not a finite 4x4 matrix', absolute);
  }
  if ([0, 1, 2].some((c) => Math.hypot(a[0]![c]!, a[1]![c]!, a[2]![c]!) === 0)) {
    throw writeError('the volume affine has a zero-length axis (zero voxel spacing)', absolute);
  }
}

/** The 352-byte NIfTI-1 header (348 + the 4-byte extension flag), built with nifti-reader-js's encoder. */
function encodeHeader(volume: Volume, dtype: DType, options: WriteNiftiOptions): Uint8Array {
  const [channels, X, Y, Z] = volume.shape as [number, number, number, number];
  const q = affineToQform(volume.affine);
  const h = new NIFTI1();
  h.littleEndian = true;
  // channel first in memory, last in the file (MONAI's writer is channel-last; a single channel is squeezed)
  h.dims = channels === 1 ? [3, X, Y, Z, 1, 1, 1, 1] : [4, X, Y, Z, channels, 1, 1, 1];
  h.datatypeCode = DTYPE_TO_CODE[dtype];
  h.numBitsPerVoxel = BYTES_PER_VOXEL[dtype] * 8;
  h.pixDims = [q.qfac, q.zooms[0], q.zooms[1], q.zooms[2], 1, 1, 1, 1];
  h.vox_offset = VOX_OFFSET;
  h.scl_slope = 1;
  h.scl_inter = 0;
  h.xyzt_units = 2; // millimetres
  h.qform_code = options.qformCode ?? 1;
  h.sform_code = options.sformCode ?? 1;
  h.quatern_b = q.quaternB;
  h.quatern_c = q.quaternC;
  h.quatern_d = q.quaternD;
  h.qoffset_x = q.qoffset[0];
  h.qoffset_y = q.qoffset[1];
  h.qoffset_z = q.qoffset[2];
  h.affine = volume.affine.map((row) => row.slice());
  h.description = (options.descrip ?? '').replace(/[^\x20-\x7e]/g, '?').slice(0, 79);
  h.magic = 'n+1';
  return new Uint8Array(h.toArrayBuffer(false));
}

/** Header, then the data in slabs of whole planes, converted to the output dtype on the way. */
function* fileChunks(header: Uint8Array, volume: Volume, dtype: DType): Generator<Uint8Array> {
  yield header;
  const [channels, X, Y, Z] = volume.shape as [number, number, number, number];
  const spatial: [number, number, number] = [X, Y, Z];
  const totalPlanes = channels * Z;
  const planeValues = X * Y;
  const slabPlanes = planesPerSlab(planeValues * BYTES_PER_VOXEL[dtype]);
  const clampToInteger = isIntegerDtype(dtype) && !isIntegerDtype(volume.dtype);
  for (let first = 0; first < totalPlanes; first += slabPlanes) {
    const planes = Math.min(slabPlanes, totalPlanes - first);
    const out = allocate(dtype, planes * planeValues);
    if (clampToInteger) {
      const staging = new Float64Array(out.length);
      gatherPlanes(volume.data, first, planes, spatial, staging);
      truncateInto(staging, out, dtype);
    } else {
      gatherPlanes(volume.data, first, planes, spatial, out);
    }
    yield new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  }
}

/**
 * numpy's float -> int `astype` as MONAI's writer runs it (x86): truncation toward zero through a 32-bit
 * integer, so values beyond the dtype wrap (-1.5 as uint8 is 255, 40000.7 as int16 is -25536); a value
 * beyond int32 (or NaN, inf) becomes int32's minimum, i.e. -2147483648 for int32 and 0 for the smaller
 * dtypes. uint32 wraps from [-2^31, 2^32) and is 0 elsewhere.
 */
function truncateInto(values: Float64Array, out: TypedArray, dtype: DType): void {
  const [lo, hi] = dtype === 'uint32' ? [-2147483648, 4294967295] : [-2147483648, 2147483647];
  const outside = dtype === 'int32' ? -2147483648 : 0;
  for (let i = 0; i < values.length; i++) {
    const v = Math.trunc(values[i]!);
    out[i] = v >= lo && v <= hi ? v : outside; // typed-array assignment wraps modulo 2^bits; NaN fails both tests
  }
}
