import { createHash } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { readNifti } from '../../../src/image/index.js';
import { BAD, FIXTURE_DIR, GOOD, pattern } from '../../fixtures/image/make.js';
import { sharedPath } from '../../helpers/shared.js';
import { nibabelView, requireNibabel } from './nibabel.js';
import { rejection } from '../../helpers/errors.js';

function sha256(data: ArrayBufferView): string {
  return createHash('sha256').update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)).digest('hex');
}

function expectAffineClose(actual: number[][], expected: number[][], tolerance: number): void {
  expect(actual).to.have.length(4);
  actual.forEach((row, r) =>
    row.forEach((v, c) => expect(Math.abs(v - expected[r]![c]!), `affine[${r}][${c}] = ${v}, expected ${expected[r]![c]}`).to.be.at.most(tolerance)),
  );
}

describe('readNifti', () => {
  describe('MONAI reference (ct_sm)', () => {
    it('loads the CT exactly as MONAI LoadImaged + EnsureChannelFirstd: shape, affine, bit-identical float32 values', async function () {
      const sidecar = JSON.parse(readFileSync(sharedPath(this, 'reference/monai/ct_sm/01_load.json'), 'utf8'));
      const volume = await readNifti(sharedPath(this, 'data/ct/totalseg_example_ct_sm.nii.gz'));
      expect(volume.shape).to.deep.equal(sidecar.shape);
      expect(volume.dtype).to.equal('float32');
      expect(volume.affine).to.deep.equal(sidecar.affine);
      expect(volume.meta.originalAffine).to.deep.equal(sidecar.affine);
      expect(volume.meta.storedDtype).to.equal('int16');
      expect(sha256(volume.data)).to.equal(sidecar.sha256_float32_C_order);
    });

    it('reads the stored 01_load reference file to the same values as the original input', async function () {
      const fromInput = await readNifti(sharedPath(this, 'data/ct/totalseg_example_ct_sm.nii.gz'));
      const stored = await readNifti(sharedPath(this, 'reference/monai/ct_sm/01_load.nii.gz'));
      expect(stored.shape).to.deep.equal(fromInput.shape);
      expect(stored.affine).to.deep.equal(fromInput.affine);
      expect(sha256(stored.data)).to.equal(sha256(fromInput.data));
    });
  });

  describe('header variants (generated fixtures)', () => {
    for (const spec of GOOD) {
      it(`reads ${spec.note} (${spec.file})`, async () => {
        const volume = await readNifti(path.join(FIXTURE_DIR, spec.file));
        const [X = 1, Y = 1, Z = 1, ...rest] = spec.fileShape;
        const C = rest.reduce((a, b) => a * b, 1);
        expect(volume.shape).to.deep.equal([C, X, Y, Z]);
        expect(volume.dtype).to.equal('float32');
        expect(volume.meta.storedDtype).to.equal(spec.dtype);
        expectAffineClose(volume.affine, spec.expectedAffine, 1e-6);
        const value = spec.value ?? pattern;
        const slope = spec.sclSlope ?? 1;
        const scaled = slope !== 0 && (slope !== 1 || (spec.sclInter ?? 0) !== 0);
        const fslope = Math.fround(slope);
        const finter = Math.fround(spec.sclInter ?? 0);
        // file order: x fastest; memory: [c][x][y][z], z fastest
        for (let c = 0; c < C; c++)
          for (let x = 0; x < X; x++)
            for (let y = 0; y < Y; y++)
              for (let z = 0; z < Z; z++) {
                const stored = value(x + X * (y + Y * (z + Z * c)));
                const expected = Math.fround(scaled ? stored * fslope + finter : stored);
                const actual = volume.data[((c * X + x) * Y + y) * Z + z];
                if (actual !== expected) expect.fail(`value at c=${c} x=${x} y=${y} z=${z}: ${actual}, expected ${expected}`);
              }
      });
    }

    it('keeps the stored type with dtype null, and gives float64 for scaled data', async () => {
      const int16 = await readNifti(path.join(FIXTURE_DIR, 'sform_las_int16.nii.gz'), { dtype: null });
      expect(int16.dtype).to.equal('int16');
      expect(int16.data).to.be.instanceOf(Int16Array);
      const scaled = await readNifti(path.join(FIXTURE_DIR, 'scaled_int32.nii'), { dtype: null });
      expect(scaled.dtype).to.equal('float64');
      expect(scaled.data[0]).to.equal(3); // 0 * 0.1 + 3
      expect(scaled.data[1]).to.equal(Math.fround(0.1) * 700 + 3); // x=0,y=0,z=1: stored 700
    });

    it('records the source file, stored dtype and header facts in meta, with an independent original affine', async () => {
      const file = path.join(FIXTURE_DIR, 'sform_las_int16.nii.gz');
      const volume = await readNifti(file);
      expect(volume.meta.filename).to.equal(file);
      expect(volume.meta.originalSpatialShape).to.deep.equal([4, 3, 2]);
      expect(volume.meta.nifti).to.include({ version: 1, sformCode: 2, qformCode: 0, descrip: 'test fixture', affineSource: 'sform' });
      expect(volume.appliedOperations).to.deep.equal([]);
      volume.affine[0]![3] = 99;
      expect(volume.meta.originalAffine[0]![3]).to.equal(10);
    });

    it('resolves a relative path against the current directory and stores it absolute', async () => {
      const relative = path.relative(process.cwd(), path.join(FIXTURE_DIR, 'int8.nii'));
      const volume = await readNifti(relative);
      expect(path.isAbsolute(volume.meta.filename!)).to.equal(true);
      expect(volume.meta.filename).to.equal(path.join(FIXTURE_DIR, 'int8.nii'));
    });

    it('reads a volume larger than one streaming slab (multi-slab, gzip) in the right order', async () => {
      // 64 x 48 x 700 int16 = 4.3 MB of data: several 1 MB gunzip chunks, planes split across chunks
      const { encode } = await import('../../fixtures/image/make.js');
      const { gzipSync } = await import('node:zlib');
      const dir = mkdtempSync(path.join(tmpdir(), 'nifti-read-'));
      try {
        const value = (n: number): number => ((n * 7919) % 65521) - 32000;
        const file = path.join(dir, 'big.nii.gz');
        writeFileSync(file, gzipSync(encode({ file: '', dtype: 'int16', fileShape: [64, 48, 700], sformCode: 1, srow: [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]], value })));
        const volume = await readNifti(file, { dtype: null });
        for (const [x, y, z] of [[0, 0, 0], [63, 47, 699], [5, 40, 350], [17, 3, 123]] as const) {
          expect(volume.data[(x * 48 + y) * 700 + z]).to.equal(value(x + 64 * (y + 48 * z)));
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('bad files', () => {
    for (const bad of BAD) {
      it(`rejects ${bad.note} (${bad.file}) with ${bad.kind}, naming the file`, async () => {
        const file = path.join(FIXTURE_DIR, bad.file);
        const error = await rejection(readNifti(file));
        expect(error.kind).to.equal(bad.kind);
        expect(error.location.file).to.equal(file);
        expect(error.message).to.be.a('string').and.not.match(/undefined|NaN bytes/);
      });
    }

    it('says a truncated file is truncated and gives the declared and actual sizes', async () => {
      const error = await rejection(readNifti(path.join(FIXTURE_DIR, 'bad_dims_too_large.nii.gz')));
      expect(error.message).to.match(/truncated/).and.match(/40x30x20/).and.match(/48 data bytes/);
    });

    it('names the unsupported datatype', async () => {
      expect((await rejection(readNifti(path.join(FIXTURE_DIR, 'bad_complex64.nii')))).message).to.match(/complex64/);
      expect((await rejection(readNifti(path.join(FIXTURE_DIR, 'bad_rgb24.nii')))).message).to.match(/RGB24/);
    });

    it('reports a missing file as image_not_found', async () => {
      const file = path.join(FIXTURE_DIR, 'no_such_image.nii.gz');
      const error = await rejection(readNifti(file));
      expect(error.kind).to.equal('image_not_found');
      expect(error.location.file).to.equal(file);
    });

    it('reports an unreadable file (no read permission) as invalid_image naming the file', async function () {
      if (process.getuid?.() === 0) {
        console.log('      (skipped: running as root, which can read any file)');
        this.skip();
      }
      const dir = mkdtempSync(path.join(tmpdir(), 'nifti-perm-'));
      try {
        const file = path.join(dir, 'secret.nii');
        writeFileSync(file, readFileSync(path.join(FIXTURE_DIR, 'int8.nii')));
        chmodSync(file, 0o000);
        const error = await rejection(readNifti(file));
        expect(error.kind).to.equal('invalid_image');
        expect(error.location.file).to.equal(file);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('rejects a directory with invalid_image', async () => {
      const error = await rejection(readNifti(FIXTURE_DIR));
      expect(error.kind).to.equal('invalid_image');
    });
  });

  describe('agreement with nibabel (+ MONAI header correction)', () => {
    it('gives nibabel\'s shape, affine and float32 values for every generated fixture', async function () {
      requireNibabel(this);
      const files = GOOD.map((spec) => path.join(FIXTURE_DIR, spec.file));
      const views = nibabelView(files);
      for (const [i, file] of files.entries()) {
        const volume = await readNifti(file);
        const view = views[i]!;
        const [X = 1, Y = 1, Z = 1, ...rest] = view.shape;
        expect(volume.shape, file).to.deep.equal([rest.reduce((a, b) => a * b, 1), X, Y, Z]);
        expect(volume.meta.storedDtype, file).to.equal(view.dtype);
        expectAffineClose(volume.affine, view.affine, 1e-12);
        expect(Buffer.from(volume.data.buffer, volume.data.byteOffset, volume.data.byteLength).toString('base64'), file).to.equal(view.float32);
      }
    });
  });
});
