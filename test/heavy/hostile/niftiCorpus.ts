/**
 * The NIfTI mutation corpus of the hostile-input suite, generated from small crops of the shipped samples
 * (bundle/sample's CT, examples/brain-meshnet's T1): truncation, header bit flips, absurd dims, NaN/inf
 * affines, wrong vox_offset, gzip bombs, every datatype code, NIfTI-2. Deterministic (a seeded PRNG), so a
 * failing case has a stable name and the same bytes on every run.
 */
import { gzipSync } from 'node:zlib';
import { cropNifti, NiftiEditor, niftiBytes, OFFSET } from '../../security/niftiBytes.js';
import { repoPath } from '../../helpers/shared.js';

export interface CorpusFile {
  name: string;
  bytes: Uint8Array;
  /** file extension to write it with */
  ext: '.nii' | '.nii.gz';
}

/** mulberry32: small, seeded, good enough to pick bits. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Base {
  tag: string;
  bytes: Buffer;
}

/** Small crops with real content: 24x24x12 of the CT (int16), 24x24x16 of the T1 (uint8). */
export function corpusBases(): Base[] {
  const ct = cropNifti(niftiBytes(repoPath('bundle', 'sample', 'totalseg_example_ct_sm.nii.gz')), [24, 24, 12], [49, 38, 9]);
  const t1 = cropNifti(niftiBytes(repoPath('examples', 'brain-meshnet', 'sample', 't1_crop.nii.gz')), [24, 24, 16], [116, 116, 120]);
  return [
    { tag: 'ct', bytes: ct },
    { tag: 't1', bytes: t1 },
  ];
}

const both = (name: string, bytes: Uint8Array): CorpusFile[] => [
  { name, bytes, ext: '.nii' },
  { name: `${name}.gz`, bytes: gzipSync(bytes), ext: '.nii.gz' },
];

function truncations(b: Base): CorpusFile[] {
  const n = b.bytes.byteLength;
  const cuts = [0, 3, 4, 100, 347, 348, 351, 352, 353, 352 + 7, Math.floor(n / 2), n - 1];
  return cuts.flatMap((cut) => both(`${b.tag}-truncated-at-${cut}`, b.bytes.subarray(0, cut)));
}

function bitFlips(b: Base, count: number, seed: number): CorpusFile[] {
  const random = prng(seed);
  const out: CorpusFile[] = [];
  for (let k = 0; k < count; k++) {
    const bytes = Buffer.from(b.bytes);
    const flips = 1 + Math.floor(random() * 3);
    const where: string[] = [];
    for (let f = 0; f < flips; f++) {
      const byte = Math.floor(random() * 352);
      const bit = Math.floor(random() * 8);
      bytes[byte]! ^= 1 << bit;
      where.push(`${byte}.${bit}`);
    }
    // alternate plain and gzip: a gzipped file has no file size to bound a lying header
    const name = `${b.tag}-bitflip-${where.join('-')}`;
    out.push(k % 2 === 0 ? { name, bytes, ext: '.nii' } : { name: `${name}.gz`, bytes: gzipSync(bytes), ext: '.nii.gz' });
  }
  return out;
}

function absurdDims(b: Base): CorpusFile[] {
  const sets: Array<[string, number[]]> = [
    ['zero', [0, 24, 12]],
    ['negative', [-1, 24, 12]],
    ['max-int16', [32767, 32767, 32767]],
    ['rank0', []],
    ['rank1', [24 * 24 * 12]],
    ['rank2', [24, 24 * 12]],
    ['rank5', [24, 24, 12, 1, 1]],
    ['two-extra-dims', [24, 24, 3, 2, 2]],
    ['channels-4', [24, 24, 3, 4]],
    ['rank7', [2, 2, 2, 2, 2, 2, 2]],
    ['one-voxel', [1, 1, 1]],
    ['thin', [24 * 24 * 12, 1, 1]],
  ];
  const out = sets.flatMap(([tag, dims]) => both(`${b.tag}-dims-${tag}`, new NiftiEditor(b.bytes).setDims(dims).bytes));
  const badRank = new NiftiEditor(b.bytes).setInt16(OFFSET.dim, 9).bytes;
  const negRank = new NiftiEditor(b.bytes).setInt16(OFFSET.dim, -3).bytes;
  return [...out, ...both(`${b.tag}-dims-rank9`, badRank), ...both(`${b.tag}-dims-rank-negative`, negRank)];
}

function affines(b: Base): CorpusFile[] {
  const e = () => new NiftiEditor(b.bytes);
  const cases: Array<[string, NiftiEditor]> = [
    ['srow-nan', e().setFloat(OFFSET.srowX, Number.NaN)],
    ['srow-inf', e().setFloat(OFFSET.srowY + 4, Number.POSITIVE_INFINITY)],
    ['srow-neg-inf-offset', e().setFloat(OFFSET.srowZ + 12, Number.NEGATIVE_INFINITY)],
    ['srow-3.4e38', e().setFloat(OFFSET.srowX, 3.4e38)],
    ['srow-zero-column', e().setFloat(OFFSET.srowX, 0).setFloat(OFFSET.srowY, 0).setFloat(OFFSET.srowZ, 0)],
    ['srow-all-zero', [OFFSET.srowX, OFFSET.srowY, OFFSET.srowZ].reduce((x, row) => [0, 1, 2, 3].reduce((y, c) => y.setFloat(row + 4 * c, 0), x), e())],
    ['srow-offset-1e30', e().setFloat(OFFSET.srowX + 12, 1e30)],
    ['pixdim-3.4e38-codes-0', e().setCodes(0, 0).setPixdim(1, 3.4e38)],
    ['pixdim-nan-codes-0', e().setCodes(0, 0).setPixdim(2, Number.NaN)],
    ['pixdim-inf-codes-0', e().setCodes(0, 0).setPixdim(3, Number.POSITIVE_INFINITY)],
    ['pixdim-zero-codes-0', e().setCodes(0, 0).setPixdim(1, 0)],
    ['pixdim-negative-codes-0', e().setCodes(0, 0).setPixdim(1, -2)],
    ['pixdim-tiny-codes-0', e().setCodes(0, 0).setPixdim(1, 1e-30)],
    ['qform-nan-quatern', e().setCodes(1, 0).setFloat(OFFSET.quatern, Number.NaN)],
    ['qform-quatern-over-1', e().setCodes(1, 0).setFloat(OFFSET.quatern, 2).setFloat(OFFSET.quatern + 4, 2)],
    ['qform-offset-inf', e().setCodes(1, 0).setFloat(OFFSET.qoffset, Number.POSITIVE_INFINITY)],
    ['qform-pixdim-3.4e38', e().setCodes(1, 0).setPixdim(1, 3.4e38)],
    ['codes-out-of-range', e().setCodes(-7, 32000)],
    ['scl-slope-nan', e().setFloat(OFFSET.sclSlope, Number.NaN)],
    ['scl-inter-inf', e().setFloat(OFFSET.sclSlope, 2).setFloat(OFFSET.sclInter, Number.POSITIVE_INFINITY)],
    ['scl-slope-3e38', e().setFloat(OFFSET.sclSlope, 3e38)],
    ['spacing-100mm', e().setCodes(0, 0).setPixdim(1, 100).setPixdim(2, 100).setPixdim(3, 100)],
    ['spacing-300mm', e().setCodes(0, 0).setPixdim(1, 300).setPixdim(2, 300).setPixdim(3, 300)],
  ];
  return cases.map(([tag, editor], k) => {
    const name = `${b.tag}-affine-${tag}`;
    return k % 2 === 0 ? { name, bytes: editor.bytes, ext: '.nii' } : { name: `${name}.gz`, bytes: gzipSync(editor.bytes), ext: '.nii.gz' };
  });
}

function voxOffsets(b: Base): CorpusFile[] {
  const values = [0, 100, 347, 348, 351, 353, 356, 1e9, -352, Number.NaN, b.bytes.byteLength, b.bytes.byteLength + 4096];
  return values.flatMap((v) => both(`${b.tag}-voxoffset-${v}`, new NiftiEditor(b.bytes).setFloat(OFFSET.voxOffset, v).bytes));
}

function gzipBombs(b: Base): CorpusFile[] {
  const bomb = (dims: number[], zeros: number) => gzipSync(Buffer.concat([new NiftiEditor(b.bytes).setDims(dims).headerOnly(), Buffer.alloc(zeros)]));
  return [
    { name: `${b.tag}-gzip-bomb-1024cubed`, bytes: bomb([1024, 1024, 1024], 8 << 20), ext: '.nii.gz' },
    { name: `${b.tag}-gzip-bomb-2048x2048x1024`, bytes: bomb([2048, 2048, 1024], 8 << 20), ext: '.nii.gz' },
    { name: `${b.tag}-gzip-bomb-32767x32767x32767`, bytes: bomb([32767, 32767, 32767], 1 << 20), ext: '.nii.gz' },
    // within the voxel budget but far more than the data: truncated once the zeros run out
    { name: `${b.tag}-gzip-bomb-600cubed-short`, bytes: bomb([600, 600, 600], 16 << 20), ext: '.nii.gz' },
  ];
}

/** [code, bitpix, writer or null when the code has no scalar encoding] */
const DATATYPES: Array<[number, number, ((buf: Buffer, i: number, v: number) => void) | null]> = [
  [2, 8, (buf, i, v) => buf.writeUInt8(Math.max(0, Math.min(255, v)) & 0xff, i)],
  [4, 16, (buf, i, v) => buf.writeInt16LE(Math.max(-32768, Math.min(32767, v)), i * 2)],
  [8, 32, (buf, i, v) => buf.writeInt32LE(v, i * 4)],
  [16, 32, (buf, i, v) => buf.writeFloatLE(v, i * 4)],
  [64, 64, (buf, i, v) => buf.writeDoubleLE(v, i * 8)],
  [256, 8, (buf, i, v) => buf.writeInt8(Math.max(-128, Math.min(127, v)), i)],
  [512, 16, (buf, i, v) => buf.writeUInt16LE(Math.max(0, Math.min(65535, v)), i * 2)],
  [768, 32, (buf, i, v) => buf.writeUInt32LE(Math.max(0, v), i * 4)],
  [1024, 64, (buf, i, v) => buf.writeBigInt64LE(BigInt(v), i * 8)],
  [1280, 64, (buf, i, v) => buf.writeBigUInt64LE(BigInt(Math.max(0, v)), i * 8)],
  [32, 64, null],
  [128, 24, null],
  [1536, 128, null],
  [1792, 128, null],
  [2048, 256, null],
  [2304, 32, null],
  [1, 1, null],
  [0, 16, null],
  [9999, 16, null],
];

function datatypes(b: Base): CorpusFile[] {
  const source = new NiftiEditor(b.bytes);
  const offset = source.voxOffset();
  const n = source.dims().slice(1, 4).reduce((x, y) => x * y, 1);
  const read = source.datatype() === 4 ? (i: number) => source.bytes.readInt16LE(offset + 2 * i) : (i: number) => source.bytes[offset + i]!;
  return DATATYPES.flatMap(([code, bitpix, write]) => {
    const data = Buffer.alloc(Math.ceil((n * bitpix) / 8));
    if (write) for (let i = 0; i < n; i++) write(data, i, read(i));
    const header = new NiftiEditor(source.headerOnly()).setInt16(OFFSET.datatype, code).setInt16(OFFSET.bitpix, bitpix);
    return both(`${b.tag}-datatype-${code}`, Buffer.concat([header.bytes, data]));
  });
}

/** The same image as a NIfTI-2 file (540-byte header, int64 dims, float64 fields, data at 544). */
export function toNifti2(bytes: Buffer): Buffer {
  const s = new NiftiEditor(bytes);
  const h = Buffer.alloc(544);
  h.writeInt32LE(540, 0);
  Buffer.from('n+2\0\r\n\x1a\n', 'latin1').copy(h, 4);
  h.writeInt16LE(s.datatype(), 12);
  h.writeInt16LE(s.bitpix(), 14);
  s.dims().forEach((d, i) => h.writeBigInt64LE(BigInt(d), 16 + 8 * i));
  for (let i = 0; i < 8; i++) h.writeDoubleLE(bytes.readFloatLE(OFFSET.pixdim + 4 * i), 104 + 8 * i);
  h.writeBigInt64LE(544n, 168);
  h.writeDoubleLE(bytes.readFloatLE(OFFSET.sclSlope), 176);
  h.writeDoubleLE(bytes.readFloatLE(OFFSET.sclInter), 184);
  h.writeInt32LE(bytes.readInt16LE(OFFSET.qformCode), 344);
  h.writeInt32LE(bytes.readInt16LE(OFFSET.sformCode), 348);
  for (let i = 0; i < 6; i++) h.writeDoubleLE(bytes.readFloatLE(OFFSET.quatern + 4 * i), 352 + 8 * i);
  for (let i = 0; i < 12; i++) h.writeDoubleLE(bytes.readFloatLE(OFFSET.srowX + 4 * i), 400 + 8 * i);
  h.writeInt32LE(bytes.readInt8(123) & 0xff, 500); // xyzt_units
  return Buffer.concat([h, bytes.subarray(s.voxOffset())]);
}

function nifti2(b: Base, flips: number, seed: number): CorpusFile[] {
  const base = toNifti2(b.bytes);
  const edit = (f: (x: Buffer) => void): Buffer => {
    const x = Buffer.from(base);
    f(x);
    return x;
  };
  const out = [
    ...both(`${b.tag}-nifti2`, base),
    ...both(`${b.tag}-nifti2-dims-2^40`, edit((x) => [1, 2, 3].forEach((i) => x.writeBigInt64LE(1n << 40n, 16 + 8 * i)))),
    ...both(`${b.tag}-nifti2-voxoffset-2^62`, edit((x) => x.writeBigInt64LE(1n << 62n, 168))),
    ...both(`${b.tag}-nifti2-srow-nan`, edit((x) => x.writeDoubleLE(Number.NaN, 400))),
    ...both(`${b.tag}-nifti2-pixdim-1e300-codes-0`, edit((x) => (x.writeInt32LE(0, 344), x.writeInt32LE(0, 348), x.writeDoubleLE(1e300, 112)))),
    ...both(`${b.tag}-nifti2-truncated`, base.subarray(0, 600)),
  ];
  const random = prng(seed);
  for (let k = 0; k < flips; k++) {
    const byte = Math.floor(random() * 544);
    const bit = Math.floor(random() * 8);
    out.push({ name: `${b.tag}-nifti2-bitflip-${byte}.${bit}`, bytes: edit((x) => (x[byte]! ^= 1 << bit)), ext: '.nii' });
  }
  return out;
}

/** The whole corpus (about 330 files). */
export function niftiCorpus(): CorpusFile[] {
  return corpusBases().flatMap((b, k) => [
    ...both(`${b.tag}-intact`, b.bytes),
    ...truncations(b),
    ...bitFlips(b, 30, 1000 + k),
    ...absurdDims(b),
    ...affines(b),
    ...voxOffsets(b),
    ...gzipBombs(b),
    ...datatypes(b),
    ...nifti2(b, 8, 2000 + k),
  ]);
}
