import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Ajv } from 'ajv';
import { expect } from 'chai';
import { BundleError } from '../../../src/errors/index.js';
import { readNifti, type Volume } from '../../../src/image/index.js';
import type { Mat4 } from '../../../src/image/Volume.js';
import type { Logger } from '../../../src/registry/ComponentEntry.js';
import { LoadImaged } from '../../../src/transforms/io/LoadImaged.js';
import { outputBasename, SaveImaged, saveImagedEntry } from '../../../src/transforms/io/SaveImaged.js';
import { FIXTURE_DIR } from '../../fixtures/image/make.js';
import { rejection } from '../../helpers/errors.js';
import { expectArray, monaiCases, volumeOf, type MonaiArray } from '../../helpers/monaiCases.js';

function listFiles(root: string, rel = ''): string[] {
  return readdirSync(path.join(root, rel), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(root, path.join(rel, e.name)) : [path.join(rel, e.name)],
  );
}

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, debug() {}, info: (m) => lines.push(m), warn: (m) => lines.push(m), error: (m) => lines.push(m) };
}

async function loaded(name: string): Promise<Volume> {
  return (await new LoadImaged({ keys: 'image' }).apply({ image: path.join(FIXTURE_DIR, name) })).image as Volume;
}

describe('outputBasename', () => {
  it('names outputs as MONAI: stem without .gz and one more extension, in a folder of its own', () => {
    expect(outputBasename('/in/ct.nii.gz', '/out', 'trans', true)).to.equal('/out/ct/ct_trans');
    expect(outputBasename('/in/ct.nii', '/out', 'seg', false)).to.equal('/out/ct_seg');
    expect(outputBasename('/in/a.b.nii.gz', '/out', 'trans', false)).to.equal('/out/a.b_trans');
    expect(outputBasename('/in/ct.nii.gz', '/out', '', false)).to.equal('/out/ct');
  });

  it('keeps the folders below data_root_dir', () => {
    expect(outputBasename('/data/p1/ct.nii.gz', '/out', 'trans', true, '/data')).to.equal('/out/p1/ct/ct_trans');
  });
});

describe('SaveImaged', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'save-imaged-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes <output_dir>/<stem>/<stem>_trans.nii.gz as float32 with the volume\'s affine, logs it and passes the sample on', async () => {
    const logger = recordingLogger();
    const save = await saveImagedEntry.create({ keys: 'pred', output_dir: dir }, { id: 'postprocessing::transforms::5', bundleRoot: dir, logger });
    const pred = await loaded('lps_permuted_float64.nii.gz');
    const sample = { pred, image: 'kept' };
    const out = await save.apply(sample);
    const file = path.join(dir, 'lps_permuted_float64', 'lps_permuted_float64_trans.nii.gz');
    expect(logger.lines).to.deep.equal([`writing: ${file}`]);
    expect(out.pred).to.deep.equal({ ...pred, meta: { ...pred.meta, saved_to: file } });
    expect(out.image).to.equal('kept');
    const back = await readNifti(file, { dtype: null });
    expect(back.dtype).to.equal('float32');
    expect(back.shape).to.deep.equal(pred.shape);
    expect(back.affine).to.deep.equal(pred.affine);
    expect(Array.from(back.data)).to.deep.equal(Array.from(pred.data));
  });

  it('honours output_postfix, output_ext, output_dtype and separate_folder false', async () => {
    const save = await saveImagedEntry.create(
      { keys: 'pred', output_dir: dir, output_postfix: 'seg', output_ext: 'nii', output_dtype: 'uint8', separate_folder: false, print_log: false },
      { id: 'save', bundleRoot: dir, logger: recordingLogger() },
    );
    await save.apply({ pred: await loaded('int8.nii') });
    const back = await readNifti(path.join(dir, 'int8_seg.nii'), { dtype: null });
    expect(back.dtype).to.equal('uint8');
  });

  it('keeps the source\'s sform/qform codes where it set them, and writes 1 where it did not', async () => {
    const save = new SaveImaged({ keys: 'pred', outputDir: dir });
    await save.apply({ pred: await loaded('sform_las_int16.nii.gz') }); // sform_code 2, qform_code 0
    const header = (await readNifti(path.join(dir, 'sform_las_int16', 'sform_las_int16_trans.nii.gz'))).meta.nifti;
    expect(header).to.include({ sformCode: 2, qformCode: 1 });
  });

  it('records the written path in meta.saved_to by default, so bundle run can list it', async () => {
    const save = new SaveImaged({ keys: 'pred', outputDir: dir });
    const out = await save.apply({ pred: await loaded('int8.nii') });
    expect((out.pred as Volume).meta.saved_to).to.equal(path.join(dir, 'int8', 'int8_trans.nii.gz'));
  });

  it('leaves meta.saved_to unset with savepath_in_metadict false', async () => {
    const save = new SaveImaged({ keys: 'pred', outputDir: dir, savepathInMetadict: false });
    const out = await save.apply({ pred: await loaded('int8.nii') });
    expect((out.pred as Volume).meta).to.not.have.property('saved_to');
  });

  it('warns that scale has no effect on NIfTI, as MONAI ignores it there', async () => {
    const logger = recordingLogger();
    await saveImagedEntry.create({ keys: 'pred', output_dir: dir, scale: 255 }, { id: 'post::3', bundleRoot: dir, logger });
    expect(logger.lines.join('\n')).to.contain('scale 255 has no effect');
  });

  describe('against MONAI 1.5 (test/fixtures/monai/SaveImaged.json): file names, stored dtype, affine and values', () => {
    for (const c of monaiCases('SaveImaged')) {
      const resampling = (c.args as { mode?: string }).mode === 'bilinear';
      it(`${c.name}: ${JSON.stringify(c.args)}${resampling ? ' (values within 1e-5: MONAI resamples in float64)' : ''}`, async () => {
        const input = c.input as { pred: MonaiArray; affine: Mat4; original_affine: Mat4; spatial_shape: number[]; filename: string };
        const volume = volumeOf(input.pred);
        const pred: Volume = { ...volume, affine: input.affine, meta: { originalAffine: input.original_affine, originalSpatialShape: input.spatial_shape, filename: input.filename } };
        const args = { ...c.args, keys: 'pred', output_dir: dir, ...('data_root_dir' in c.args ? { data_root_dir: '/in' } : {}) };
        const save = (await saveImagedEntry.create(args as never, { id: 'post::3', bundleRoot: dir, logger: recordingLogger() })) as SaveImaged;
        await save.apply({ pred });
        const expected = (c.output as { files: Array<{ path: string; dtype: string; affine: Mat4; array: MonaiArray }> }).files;
        expect(listFiles(dir)).to.deep.equal(expected.map((f) => f.path));
        for (const f of expected) {
          const back = await readNifti(path.join(dir, f.path), { dtype: null });
          expect(back.dtype, 'stored dtype').to.equal(f.dtype);
          expect(back.affine).to.deep.equal(f.affine);
          expectArray(back, f.array, resampling ? 1e-5 : 0, c.name);
        }
      });
    }
  });

  it('rejects a volume without a source file name, and an unsupported extension', async () => {
    const pred = await loaded('int8.nii');
    const anonymous = { ...pred, meta: { ...pred.meta, filename: undefined } };
    expect((await rejection(new SaveImaged({ keys: 'pred', outputDir: dir }).apply({ pred: anonymous }))).kind).to.equal('invalid_data');
    expect(() => new SaveImaged({ keys: 'pred', outputExt: '.png' })).to.throw(BundleError).with.property('kind', 'invalid_arguments');
  });

  it('never writes over the input image', async () => {
    // output_dir = the fixture folder, no postfix, no separate folder: the output name is the input itself
    const save = new SaveImaged({ keys: 'image', outputDir: FIXTURE_DIR, outputPostfix: '', outputExt: '.nii', separateFolder: false });
    const error = await rejection(save.apply({ image: await loaded('int8.nii') }));
    expect(error.kind).to.equal('write_failed');
    expect(error.location.id).to.equal(undefined);
    expect(error.location.path).to.equal('image');
  });

  it('reports a folder that cannot be created as write_failed and leaves nothing', async () => {
    const save = new SaveImaged({ keys: 'pred', outputDir: path.join(FIXTURE_DIR, 'int8.nii', 'sub') });
    const error = await rejection(save.apply({ pred: await loaded('int8.nii') }));
    expect(error.kind).to.equal('write_failed');
    expect(existsSync(path.join(FIXTURE_DIR, 'int8.nii', 'sub'))).to.equal(false);
  });

  it('validates its arguments against MONAI\'s names', () => {
    const validate = new Ajv({ strict: true, allowUnionTypes: true }).compile(saveImagedEntry.argsSchema);
    expect(validate({ keys: 'pred', resample: false, output_dir: './eval', output_ext: '.nii.gz', output_dtype: 'float32', output_postfix: 'trans', separate_folder: true })).to.equal(true);
    expect(validate({ keys: 'pred', output_folder: './eval' })).to.equal(false);
    expect(validate({ keys: 'pred', scale: 255, resample: true, mode: 'bilinear', padding_mode: 'zeros' })).to.equal(true);
    expect(validate({ keys: 'pred', scale: 100 })).to.equal(false);
    expect(validate({ keys: 'pred', mode: 'bicubic' })).to.equal(false);
  });
});
