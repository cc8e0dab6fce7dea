import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { expect } from 'chai';
import { allocate, type DType, type Mat4, readNifti, type Volume, writeNifti } from '../../../src/image/index.js';
import { nibabelView, requireNibabel, runPython } from './nibabel.js';
import { rejection } from '../../helpers/errors.js';

function volumeOf(dtype: DType, shape: number[], affine: Mat4, value: (n: number) => number): Volume {
  const data = allocate(dtype, shape.reduce((a, b) => a * b, 1));
  for (let n = 0; n < data.length; n++) data[n] = value(n);
  return { data, dtype, shape, affine, meta: { originalAffine: affine, originalSpatialShape: shape.slice(1) }, appliedOperations: [] };
}

const ROTATED: Mat4 = [
  [0, 0, -2, 5],
  [-1.5, 0, 0, 6],
  [0, 3, 0, 7],
  [0, 0, 0, 1],
];
const OBLIQUE: Mat4 = [
  [0.8 * Math.cos(0.3), -0.8 * Math.sin(0.3), 0, -100.25],
  [0.8 * Math.sin(0.3), 0.8 * Math.cos(0.3), 0, 20.5],
  [0, 0, 2.5, -40],
  [0, 0, 0, 1],
];

describe('writeNifti', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'nifti-write-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const cases: Array<[DType, (n: number) => number]> = [
    ['float32', (n) => Math.fround(Math.sin(n) * 1000)],
    ['float64', (n) => Math.cos(n) * 1e6],
    ['uint8', (n) => n % 256],
    ['int8', (n) => (n % 256) - 128],
    ['int16', (n) => (n * 37) % 65536 - 32768],
    ['uint16', (n) => (n * 37) % 65536],
    ['int32', (n) => n * 100003 - 2 ** 30],
    ['uint32', (n) => n * 100003 + 2 ** 31],
  ];
  for (const [dtype, value] of cases) {
    it(`round-trips a ${dtype} volume through .nii.gz: shape, dtype, values and affine unchanged`, async () => {
      const volume = volumeOf(dtype, [1, 5, 4, 3], ROTATED, value);
      const file = await writeNifti(path.join(dir, `v_${dtype}.nii.gz`), volume);
      const back = await readNifti(file, { dtype: null });
      expect(back.shape).to.deep.equal([1, 5, 4, 3]);
      expect(back.dtype).to.equal(dtype);
      expect(Array.from(back.data)).to.deep.equal(Array.from(volume.data));
      expect(back.affine).to.deep.equal(ROTATED);
    });
  }

  it('round-trips a multi-channel volume (channels stored as the 4th file dimension) through .nii', async () => {
    const volume = volumeOf('float32', [3, 4, 3, 2], OBLIQUE, (n) => n);
    const file = await writeNifti(path.join(dir, 'multi.nii'), volume);
    const back = await readNifti(file);
    expect(back.shape).to.deep.equal([3, 4, 3, 2]);
    expect(Array.from(back.data)).to.deep.equal(Array.from(volume.data));
    back.affine.forEach((row, r) => row.forEach((v, c) => expect(v).to.be.closeTo(OBLIQUE[r]![c]!, 1e-5)));
  });

  it('writes gzip for .nii.gz and plain NIfTI-1 with vox_offset 352 for .nii', async () => {
    const volume = volumeOf('int16', [1, 4, 3, 2], ROTATED, (n) => n);
    const plain = readFileSync(await writeNifti(path.join(dir, 'a.nii'), volume));
    const packed = readFileSync(await writeNifti(path.join(dir, 'a.nii.gz'), volume));
    expect([packed[0], packed[1]]).to.deep.equal([0x1f, 0x8b]);
    expect(gunzipSync(packed).equals(plain)).to.equal(true);
    expect(plain.readInt32LE(0)).to.equal(348);
    expect(plain.readFloatLE(108)).to.equal(352);
    expect(plain.toString('latin1', 344, 348)).to.equal('n+1\0');
    expect(plain.length).to.equal(352 + 24 * 2);
  });

  it('converts float values to an integer output dtype as numpy astype does (MONAI): truncation, wrapping out-of-range values', async () => {
    const values = [0.4, 1.6, -1.6, 254.9, 300, -5, Number.NaN, 2.5];
    const volume = volumeOf('float32', [1, 2, 2, 2], ROTATED, (n) => values[n]!);
    const back = await readNifti(await writeNifti(path.join(dir, 'u8.nii'), volume, { dtype: 'uint8' }), { dtype: null });
    expect(back.dtype).to.equal('uint8');
    expect(Array.from(back.data)).to.deep.equal([0, 1, 255, 254, 44, 251, 0, 2]); // numpy: -1.6 -> 255, 300 -> 44, nan -> 0
    const wide = volumeOf('float32', [1, 2, 2, 2], ROTATED, (n) => [40000.7, -40000.2, 3e9, Number.POSITIVE_INFINITY, -1.5, 1, 2, 3][n]!);
    const i16 = await readNifti(await writeNifti(path.join(dir, 'i16.nii'), wide, { dtype: 'int16' }), { dtype: null });
    const i32 = await readNifti(await writeNifti(path.join(dir, 'i32.nii'), wide, { dtype: 'int32' }), { dtype: null });
    expect(Array.from(i16.data).slice(0, 5)).to.deep.equal([-25536, 25536, 0, 0, -1]);
    expect(Array.from(i32.data).slice(0, 5)).to.deep.equal([40000, -40000, -2147483648, -2147483648, -1]);
  });

  it('sets sform and qform codes (1 by default, or as asked) and the descrip', async () => {
    const volume = volumeOf('float32', [1, 2, 2, 2], ROTATED, (n) => n);
    const header = readFileSync(await writeNifti(path.join(dir, 'codes.nii'), volume, { sformCode: 2, qformCode: 0, descrip: 'made by tests' }));
    expect(header.readInt16LE(252)).to.equal(0);
    expect(header.readInt16LE(254)).to.equal(2);
    expect(header.toString('latin1', 148, 161)).to.equal('made by tests');
    const defaults = readFileSync(await writeNifti(path.join(dir, 'defaults.nii'), volume));
    expect([defaults.readInt16LE(252), defaults.readInt16LE(254)]).to.deep.equal([1, 1]);
  });

  describe('never leaves a partial or wrong file', () => {
    it('refuses to write over the volume\'s own source file, which stays unchanged', async () => {
      const source = path.join(dir, 'input.nii');
      const volume = volumeOf('int16', [1, 2, 2, 2], ROTATED, (n) => n);
      await writeNifti(source, volume);
      const before = readFileSync(source);
      const loaded = await readNifti(source);
      const error = await rejection(writeNifti(path.join(dir, '.', 'input.nii'), loaded));
      expect(error.kind).to.equal('write_failed');
      expect(error.location.file).to.equal(source);
      expect(readFileSync(source).equals(before)).to.equal(true);
    });

    it('reports an unwritable destination (its folder is a file) as write_failed, leaving nothing behind', async () => {
      const blocker = path.join(dir, 'blocker');
      writeFileSync(blocker, 'not a folder');
      const error = await rejection(writeNifti(path.join(blocker, 'out.nii.gz'), volumeOf('uint8', [1, 2, 2, 2], ROTATED, (n) => n)));
      expect(error.kind).to.equal('write_failed');
      expect(readdirSync(dir)).to.deep.equal(['blocker']);
    });

    it('reports a read-only folder as write_failed, leaving nothing in it', async function () {
      if (process.getuid?.() === 0) {
        console.log('      (skipped: running as root, which can write into read-only folders)');
        this.skip();
      }
      const locked = path.join(dir, 'locked');
      mkdirSync(locked);
      chmodSync(locked, 0o555);
      try {
        const error = await rejection(writeNifti(path.join(locked, 'out.nii.gz'), volumeOf('uint8', [1, 2, 2, 2], ROTATED, (n) => n)));
        expect(error.kind).to.equal('write_failed');
        expect(error.message).to.match(/permission denied/);
        expect(readdirSync(locked)).to.deep.equal([]);
      } finally {
        chmodSync(locked, 0o755);
      }
    });

    it('removes the temporary file and keeps an existing output when writing fails midway', async () => {
      const target = path.join(dir, 'out.nii');
      writeFileSync(target, 'previous result');
      // 100x100 float32 planes: 64 planes (640 000 values) per slab, so the failure comes in the second slab
      const volume = volumeOf('float32', [1, 100, 100, 200], ROTATED, () => 1);
      // data that fails to read after the first slab, as a disk or a bug might
      let reads = 0;
      volume.data = new Proxy(volume.data, {
        get(target, key, receiver) {
          if (typeof key === 'string' && /^\d+$/.test(key) && ++reads > 1_000_000) throw new Error('simulated read failure');
          const value = Reflect.get(target, key, target);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      }) as Float32Array;
      const error = await rejection(writeNifti(target, volume));
      expect(error.kind).to.equal('write_failed');
      expect(readFileSync(target, 'utf8')).to.equal('previous result');
      expect(readdirSync(dir)).to.deep.equal(['out.nii']);
    });

    it('leaves no temporary files after a successful write and creates missing folders', async () => {
      const file = await writeNifti(path.join(dir, 'a', 'b', 'c.nii.gz'), volumeOf('uint8', [1, 2, 2, 2], ROTATED, (n) => n));
      expect(statSync(file).isFile()).to.equal(true);
      expect(readdirSync(path.join(dir, 'a', 'b'))).to.deep.equal(['c.nii.gz']);
    });

    it('rejects a volume whose data length does not match its shape, writing nothing', async () => {
      const volume = volumeOf('uint8', [1, 2, 2, 2], ROTATED, (n) => n);
      volume.shape = [1, 3, 2, 2];
      const error = await rejection(writeNifti(path.join(dir, 'x.nii'), volume));
      expect(error.kind).to.equal('write_failed');
      expect(existsSync(path.join(dir, 'x.nii'))).to.equal(false);
    });

    it('rejects a non-finite affine and one with a zero-length axis', async () => {
      const nan = volumeOf('uint8', [1, 2, 2, 2], [[Number.NaN, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]], (n) => n);
      expect((await rejection(writeNifti(path.join(dir, 'x.nii'), nan))).kind).to.equal('write_failed');
      const flat = volumeOf('uint8', [1, 2, 2, 2], [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 0], [0, 0, 0, 1]], (n) => n);
      expect((await rejection(writeNifti(path.join(dir, 'x.nii'), flat))).kind).to.equal('write_failed');
      expect(readdirSync(dir)).to.deep.equal([]);
    });
  });

  describe('files read back in nibabel', () => {
    it('with the same shape, dtype, values and affine, sform/qform code 1 and the qform nibabel itself would store', async function () {
      requireNibabel(this);
      const written: Array<{ file: string; volume: Volume }> = [];
      for (const [dtype, value] of cases) {
        for (const [label, affine] of [['rotated', ROTATED], ['oblique', OBLIQUE]] as const) {
          const volume = volumeOf(dtype, [1, 5, 4, 3], affine, value);
          written.push({ file: await writeNifti(path.join(dir, `${dtype}_${label}.nii.gz`), volume), volume });
        }
      }
      const multi = volumeOf('float32', [2, 3, 2, 2], OBLIQUE, (n) => n / 3);
      written.push({ file: await writeNifti(path.join(dir, 'multi.nii'), multi), volume: multi });
      const views = nibabelView(written.map((w) => w.file));
      // nibabel's own qform for each affine: set_qform on a fresh header, stored as float32
      const qforms = runPython<number[][][]>(
        `
import json, sys
import nibabel as nib, numpy as np
out = []
for a in json.loads(sys.argv[1]):
    h = nib.Nifti1Header()
    h.set_qform(np.array(a), code=1)
    out.append(h.get_qform().tolist())
print(json.dumps(out))
`,
        [JSON.stringify(written.map((w) => w.volume.affine))],
      );
      written.forEach(({ file, volume }, i) => {
        const view = views[i]!;
        const [C, X, Y, Z] = volume.shape as [number, number, number, number];
        expect(view.shape, file).to.deep.equal(C === 1 ? [X, Y, Z] : [X, Y, Z, C]);
        expect(view.dtype, file).to.equal(volume.dtype);
        expect([view.sformCode, view.qformCode], file).to.deep.equal([1, 1]);
        volume.affine.forEach((row, r) => row.forEach((v, c) => expect(view.affine[r]![c], `${file} affine`).to.equal(Math.fround(v))));
        view.qform.forEach((row, r) => row.forEach((v, c) => expect(v, `${file} qform`).to.be.closeTo(qforms[i]![r]![c]!, 1e-6)));
        const expected = Float32Array.from(volume.data as ArrayLike<number>);
        expect(Buffer.from(view.float32, 'base64').equals(Buffer.from(expected.buffer)), `${file} values`).to.equal(true);
      });
    });
  });
});
