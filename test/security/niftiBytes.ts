/**
 * Raw NIfTI-1 header surgery for the hostile-input tests: decode a shipped sample to its uncompressed bytes,
 * crop it small, and set header fields the way an attacker's hex editor would (no validation on the way).
 * Offsets are the NIfTI-1 standard's (nifti1.h).
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

export const OFFSET = {
  dim: 40,
  datatype: 70,
  bitpix: 72,
  pixdim: 76,
  voxOffset: 108,
  sclSlope: 112,
  sclInter: 116,
  qformCode: 252,
  sformCode: 254,
  quatern: 256,
  qoffset: 268,
  srowX: 280,
  srowY: 296,
  srowZ: 312,
  magic: 344,
} as const;

/** The uncompressed bytes of a .nii or .nii.gz file. */
export function niftiBytes(file: string): Buffer {
  const raw = readFileSync(file);
  return raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw;
}

export class NiftiEditor {
  readonly bytes: Buffer;
  constructor(bytes: Uint8Array) {
    this.bytes = Buffer.from(bytes);
  }
  dims(): number[] {
    return Array.from({ length: 8 }, (_, i) => this.bytes.readInt16LE(OFFSET.dim + 2 * i));
  }
  setDims(dims: number[]): this {
    const all = [dims.length, ...dims, 1, 1, 1, 1, 1, 1, 1].slice(0, 8);
    all.forEach((d, i) => this.bytes.writeInt16LE(d, OFFSET.dim + 2 * i));
    return this;
  }
  setPixdim(index: number, value: number): this {
    this.bytes.writeFloatLE(value, OFFSET.pixdim + 4 * index);
    return this;
  }
  setCodes(qform: number, sform: number): this {
    this.bytes.writeInt16LE(qform, OFFSET.qformCode);
    this.bytes.writeInt16LE(sform, OFFSET.sformCode);
    return this;
  }
  setFloat(offset: number, value: number): this {
    this.bytes.writeFloatLE(value, offset);
    return this;
  }
  setInt16(offset: number, value: number): this {
    this.bytes.writeInt16LE(value, offset);
    return this;
  }
  voxOffset(): number {
    return this.bytes.readFloatLE(OFFSET.voxOffset);
  }
  datatype(): number {
    return this.bytes.readInt16LE(OFFSET.datatype);
  }
  bitpix(): number {
    return this.bytes.readInt16LE(OFFSET.bitpix);
  }
  /** Just the header and extensions (everything before vox_offset). */
  headerOnly(): Buffer {
    return this.bytes.subarray(0, this.voxOffset());
  }
}

/**
 * A `size` block of a 3-D NIfTI-1 image (any datatype) starting at voxel `start`, with the header's dims set
 * to match: a small, real-valued image to mutate (the samples themselves are megabytes).
 */
export function cropNifti(bytes: Uint8Array, size: [number, number, number], start: [number, number, number] = [0, 0, 0]): Buffer {
  const editor = new NiftiEditor(bytes);
  const [, X, Y] = editor.dims() as [number, number, number, number];
  const offset = editor.voxOffset();
  const bpv = editor.bitpix() / 8;
  const [cx, cy, cz] = size;
  const [sx, sy, sz] = start;
  const out = Buffer.alloc(offset + cx * cy * cz * bpv);
  editor.bytes.copy(out, 0, 0, offset);
  let o = offset;
  for (let z = sz; z < sz + cz; z++)
    for (let y = sy; y < sy + cy; y++) {
      const from = offset + ((z * Y + y) * X + sx) * bpv;
      editor.bytes.copy(out, o, from, from + cx * bpv);
      o += cx * bpv;
    }
  return new NiftiEditor(out).setDims([cx, cy, cz]).bytes;
}
