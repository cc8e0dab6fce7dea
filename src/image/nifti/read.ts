/**
 * readNifti: a .nii or .nii.gz file -> Volume ([C, X, Y, Z], C order, float32 by default as MONAI's
 * LoadImage). The file is streamed (through zlib's gunzip when it starts with the gzip magic), the header
 * parsed as soon as it has arrived, and the voxel data scattered into the output slab by slab.
 */
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import { createGunzip } from 'node:zlib';
import { BundleError } from '../../errors/index.js';
import { checkVoxelBudget } from '../../util/limits.js';
import { protectInput } from '../../util/writeGuard.js';
import { allocate, cloneMat4, type DType, type TypedArray, type Volume } from '../Volume.js';
import { chooseAffine, isFiniteAffine } from './affine.js';
import { BYTES_PER_VOXEL } from './datatypes.js';
import { dataByteLength, fileShape, MAX_HEADER_BYTES, type NiftiHeader, parseHeader, sniffHeader } from './header.js';
import { planesPerSlab, type Scaling, scatterPlanes } from './transpose.js';

export interface ReadNiftiOptions {
  /** output dtype; default float32 (MONAI's LoadImage default); null keeps the stored (or scaled) type */
  dtype?: DType | null;
}

const STREAM_CHUNK = 1 << 20;

export async function readNifti(file: string, options: ReadNiftiOptions = {}): Promise<Volume> {
  const absolute = path.resolve(file);
  const fileSize = await checkReadable(file, absolute);
  protectInput(absolute);
  const gzipped = await startsWithGzipMagic(absolute);
  // an uncompressed file's size bounds the data, so a lying header is caught before allocating for it
  const decoder = new NiftiDecoder(absolute, options.dtype === undefined ? 'float32' : options.dtype, gzipped ? undefined : fileSize);
  const raw = createReadStream(absolute, { highWaterMark: STREAM_CHUNK });
  const source = gzipped ? raw.pipe(createGunzip({ chunkSize: STREAM_CHUNK })) : raw;
  if (gzipped) raw.on('error', (error) => source.destroy(error));
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      if (decoder.push(chunk)) break;
    }
  } catch (cause) {
    if (cause instanceof BundleError) throw explainNotGzip(cause, absolute, gzipped);
    throw streamError(cause, absolute, gzipped);
  } finally {
    raw.destroy();
    if (source !== raw) source.destroy();
  }
  try {
    return decoder.finish();
  } catch (cause) {
    throw explainNotGzip(cause, absolute, gzipped);
  }
}

/** A .gz name over bytes that are neither gzip nor NIfTI: say both. */
function explainNotGzip(error: unknown, file: string, gzipped: boolean): unknown {
  if (gzipped || !file.toLowerCase().endsWith('.gz') || !(error instanceof BundleError) || error.kind !== 'invalid_image') return error;
  if (!/not a NIfTI image|too short/.test(error.message)) return error;
  return new BundleError('invalid_image', 'the file is named .gz but is not gzip-compressed, and it is not an uncompressed NIfTI image either', {
    location: { file },
    cause: error,
  });
}

async function checkReadable(file: string, absolute: string): Promise<number> {
  let info;
  try {
    info = await stat(absolute);
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new BundleError('image_not_found', `the image file ${absolute} does not exist`, { location: { file: absolute }, cause });
    }
    throw new BundleError('invalid_image', 'the image file cannot be read', { location: { file: absolute }, cause });
  }
  if (!info.isFile()) {
    // only regular files: a FIFO blocks forever and /dev/zero never ends
    throw new BundleError('invalid_image', `the image path is ${fileKind(info)}, not a regular file`, {
      hint: 'give the path of a .nii or .nii.gz file',
      location: { file: absolute },
    });
  }
  return info.size;
}

/** What a non-regular path is, for messages. */
export function fileKind(info: import('node:fs').Stats): string {
  if (info.isDirectory()) return 'a folder';
  if (info.isFIFO()) return 'a named pipe (FIFO)';
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  if (info.isSocket()) return 'a socket';
  return 'not a regular file';
}

async function startsWithGzipMagic(absolute: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(absolute, 'r');
  } catch (cause) {
    const reason = (cause as NodeJS.ErrnoException).code === 'EACCES' ? ' (permission denied)' : '';
    throw new BundleError('invalid_image', `the image file cannot be read${reason}`, {
      hint: 'check the file permissions',
      location: { file: absolute },
      cause,
    });
  }
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    return bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

function streamError(cause: unknown, file: string, gzipped: boolean): BundleError {
  const code = (cause as NodeJS.ErrnoException).code;
  if (gzipped && code === 'Z_BUF_ERROR') {
    return new BundleError('invalid_image', 'the compressed data ends early: the file is truncated', { location: { file }, cause });
  }
  if (gzipped && typeof code === 'string' && code.startsWith('Z_')) {
    return new BundleError('invalid_image', `the gzip data is corrupt (${(cause as Error).message})`, { location: { file }, cause });
  }
  return new BundleError('invalid_image', 'the image file could not be read', { location: { file }, cause });
}

/** nibabel's `get_slope_inter`: a slope of 0 or NaN means unscaled (null: values are used as stored). */
function scalingOf(header: NiftiHeader, file: string): Scaling | null {
  const slope = header.sclSlope;
  const inter = header.sclInter;
  if (slope === 0 || !Number.isFinite(slope)) return null;
  if (!Number.isFinite(inter)) {
    throw new BundleError('invalid_image', `scl_slope is ${slope} but scl_inter is ${inter}`, {
      hint: 'set scl_inter to a finite value (0 for no offset)',
      location: { file },
    });
  }
  if (slope === 1 && inter === 0) return null;
  // nibabel scales in float64 whatever the stored type (MONAI then casts to its dtype)
  return { slope, inter };
}

/** Consumes the file's bytes in arbitrary chunks; see readNifti. */
class NiftiDecoder {
  private headerBytes = new Uint8Array(MAX_HEADER_BYTES);
  private received = 0;
  private header: NiftiHeader | undefined;
  private dataStart = 0;
  private dataLength = 0;
  private out: TypedArray | undefined;
  private spatial: [number, number, number] = [1, 1, 1];
  private channels = 1;
  private scaling: Scaling | null = null;
  private outDtype: DType = 'float32';
  private slab: Buffer = Buffer.alloc(0);
  private slabFill = 0;
  private planeBytes = 0;
  private planesDone = 0;

  constructor(
    private readonly file: string,
    private readonly dtype: DType | null,
    private readonly fileSize?: number,
  ) {}

  /** Returns true once every data byte has arrived. */
  push(chunk: Uint8Array): boolean {
    let offset = 0;
    while (offset < chunk.byteLength) {
      if (!this.header) {
        const take = Math.min(chunk.byteLength - offset, MAX_HEADER_BYTES - this.received);
        this.headerBytes.set(chunk.subarray(offset, offset + take), this.received);
        this.received += take;
        offset += take;
        if (this.received >= 4) {
          const size = sniffHeader(this.headerBytes.subarray(0, this.received), this.file).version === 1 ? 348 : 540;
          if (this.received >= size) {
            this.start(parseHeader(this.headerBytes.subarray(0, this.received), this.file));
            // bytes beyond sizeof_hdr that were taken into the header buffer are replayed as data
            const extra = this.headerBytes.subarray(size, this.received);
            this.received = size;
            if (this.consume(extra)) return true;
          }
        }
        continue;
      }
      return this.consume(chunk.subarray(offset));
    }
    return this.header !== undefined && this.isComplete();
  }

  private start(header: NiftiHeader): void {
    this.header = header;
    const shape = fileShape(header);
    this.spatial = [shape[0] ?? 1, shape[1] ?? 1, shape[2] ?? 1];
    const extra = shape.slice(3).filter((d) => d > 1);
    if (extra.length > 1) {
      throw new BundleError(
        'unsupported_image',
        `the image has ${extra.length} non-spatial dimensions larger than 1 (shape ${shape.join('x')}); at most one (the channels) is supported`,
        { location: { file: this.file } },
      );
    }
    this.channels = extra[0] ?? 1;
    this.scaling = scalingOf(header, this.file);
    this.outDtype = this.dtype ?? (this.scaling ? 'float64' : header.dtype);
    this.dataStart = header.voxOffset;
    this.dataLength = dataByteLength(header);
    const voxels = this.dataLength / BYTES_PER_VOXEL[header.dtype];
    if (this.fileSize !== undefined && this.fileSize < this.dataStart + this.dataLength) {
      throw this.truncationError(this.fileSize - this.dataStart);
    }
    // before anything is allocated: a small .nii.gz can declare terabytes
    checkVoxelBudget(shape, 'the image declares', { file: this.file });
    try {
      this.out = allocate(this.outDtype, voxels);
    } catch (cause) {
      throw new BundleError('unsupported_image', `the image is too large to load: ${fileShape(header).join('x')} voxels of ${this.outDtype}`, {
        hint: 'crop or downsample the image first, or check that its header dimensions are right',
        location: { file: this.file },
        cause,
      });
    }
    this.planeBytes = this.spatial[0] * this.spatial[1] * BYTES_PER_VOXEL[header.dtype];
    // its own ArrayBuffer (not the pool), so typed views of it are aligned
    this.slab = Buffer.allocUnsafeSlow(Math.min(planesPerSlab(this.planeBytes) * this.planeBytes, this.dataLength));
  }

  private isComplete(): boolean {
    return this.received >= this.dataStart + this.dataLength;
  }

  private consume(bytes: Uint8Array): boolean {
    let offset = 0;
    // extensions between the header and vox_offset are skipped
    if (this.received < this.dataStart) {
      const skip = Math.min(bytes.byteLength, this.dataStart - this.received);
      this.received += skip;
      offset += skip;
    }
    const end = this.dataStart + this.dataLength;
    while (offset < bytes.byteLength && this.received < end) {
      const take = Math.min(bytes.byteLength - offset, this.slab.byteLength - this.slabFill, end - this.received);
      this.slab.set(bytes.subarray(offset, offset + take), this.slabFill);
      this.slabFill += take;
      this.received += take;
      offset += take;
      if (this.slabFill === this.slab.byteLength || this.received === end) this.flushSlab();
    }
    return this.isComplete();
  }

  private flushSlab(): void {
    const header = this.header!;
    const bytes = BYTES_PER_VOXEL[header.dtype];
    const planes = Math.floor(this.slabFill / this.planeBytes);
    const used = this.slab.subarray(0, planes * this.planeBytes);
    if (!header.littleEndian && bytes > 1) {
      if (bytes === 2) used.swap16();
      else if (bytes === 4) used.swap32();
      else used.swap64();
    }
    const view = allocateView(header.dtype, used);
    scatterPlanes(view, this.planesDone, planes, this.spatial, this.out!, this.scaling);
    this.planesDone += planes;
    const rest = this.slabFill - used.byteLength;
    if (rest > 0) this.slab.copyWithin(0, used.byteLength, this.slabFill);
    this.slabFill = rest;
  }

  private truncationError(dataBytes: number): BundleError {
    const header = this.header!;
    return new BundleError(
      'invalid_image',
      `the image data is truncated: the header declares ${fileShape(header).join('x')} ${header.dtype} voxels (${this.dataLength} bytes from offset ${this.dataStart}) but the file holds ${Math.max(0, dataBytes)} data bytes`,
      { hint: 'the file is incomplete or its header dimensions are wrong; re-export or re-download it', location: { file: this.file } },
    );
  }

  finish(): Volume {
    const header = this.header;
    if (!header) {
      if (this.received >= 4) sniffHeader(this.headerBytes.subarray(0, this.received), this.file);
      throw new BundleError('invalid_image', `the file is too short to hold a NIfTI header (${this.received} bytes)`, {
        location: { file: this.file },
      });
    }
    if (!this.isComplete()) throw this.truncationError(this.received - this.dataStart);
    const chosen = chooseAffine(header);
    if (!isFiniteAffine(chosen.affine)) {
      throw new BundleError('invalid_image', `the image affine (from the ${chosen.source}) contains NaN or Inf values`, {
        hint: 'fix the sform/qform of the file (e.g. with nibabel) before loading it',
        location: { file: this.file },
      });
    }
    const absurd = absurdGeometry(chosen.affine, this.spatial);
    if (absurd) {
      throw new BundleError('invalid_image', `the image geometry (from the ${chosen.source}) is absurd: ${absurd}`, {
        hint: 'fix the voxel sizes (pixdim) and sform/qform of the file (e.g. with nibabel) before loading it',
        location: { file: this.file },
      });
    }
    const out = this.out!;
    return {
      data: out,
      dtype: this.outDtype,
      shape: [this.channels, ...this.spatial],
      affine: cloneMat4(chosen.affine),
      meta: {
        originalAffine: cloneMat4(chosen.affine),
        originalSpatialShape: this.spatial.slice(),
        filename: this.file,
        storedDtype: header.dtype,
        nifti: {
          version: header.version,
          shape: fileShape(header),
          pixdim: header.pixdim.slice(),
          sformCode: header.sformCode,
          qformCode: header.qformCode,
          sclSlope: header.sclSlope,
          sclInter: header.sclInter,
          xyztUnits: header.xyztUnits,
          intentCode: header.intentCode,
          intentName: header.intentName,
          descrip: header.descrip,
          affineSource: chosen.source,
          affineCorrection: chosen.correction,
        },
      },
      appliedOperations: [],
    };
  }
}

/**
 * Bounds far beyond any scanner (a 1 km voxel, a field of view of 1000 km) that keep every later product of
 * the affine (resampled grids, the float32 sform written back) finite: pixdim=3.4e38 with both codes 0 is a
 * legal float32 and overflowed the written sform to inf.
 */
const MAX_ABS_AFFINE_MM = 1e6;
const MAX_EXTENT_MM = 1e9;

function absurdGeometry(affine: number[][], spatial: readonly number[]): string | null {
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 4; c++) {
      const v = affine[r]![c]!;
      if (Math.abs(v) > (c === 3 ? MAX_EXTENT_MM : MAX_ABS_AFFINE_MM)) {
        return `affine[${r}][${c}] is ${v} mm (limit ${c === 3 ? MAX_EXTENT_MM : MAX_ABS_AFFINE_MM} mm)`;
      }
    }
  }
  for (let c = 0; c < 3; c++) {
    const size = Math.hypot(affine[0]![c]!, affine[1]![c]!, affine[2]![c]!);
    if (size === 0) return `axis ${c} has a voxel size of 0 mm`;
    if (size * spatial[c]! > MAX_EXTENT_MM) return `axis ${c} spans ${size * spatial[c]!} mm`;
  }
  return null;
}

function allocateView(dtype: DType, bytes: Buffer): TypedArray {
  const n = bytes.byteLength / BYTES_PER_VOXEL[dtype];
  switch (dtype) {
    case 'uint8': return new Uint8Array(bytes.buffer, bytes.byteOffset, n);
    case 'int8': return new Int8Array(bytes.buffer, bytes.byteOffset, n);
    case 'int16': return new Int16Array(bytes.buffer, bytes.byteOffset, n);
    case 'uint16': return new Uint16Array(bytes.buffer, bytes.byteOffset, n);
    case 'int32': return new Int32Array(bytes.buffer, bytes.byteOffset, n);
    case 'uint32': return new Uint32Array(bytes.buffer, bytes.byteOffset, n);
    case 'float32': return new Float32Array(bytes.buffer, bytes.byteOffset, n);
    case 'float64': return new Float64Array(bytes.buffer, bytes.byteOffset, n);
  }
}
