import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Ajv } from 'ajv';
import { expect } from 'chai';
import type { Volume } from '../../../src/image/index.js';
import { silentLogger } from '../../../src/registry/ComponentEntry.js';
import { LoadImaged, loadImagedEntry } from '../../../src/transforms/io/LoadImaged.js';
import { FIXTURE_DIR } from '../../fixtures/image/make.js';
import { expectArray, monaiCases, type MonaiArray } from '../../helpers/monaiCases.js';
import { repoPath, sharedPath } from '../../helpers/shared.js';
import { rejection } from '../../helpers/errors.js';

const context = { id: 'preprocessing::transforms::0', bundleRoot: '/nowhere', logger: silentLogger };
const fixture = (name: string): string => path.join(FIXTURE_DIR, name);

describe('LoadImaged', () => {
  it('replaces the path under each key with a float32, channel-first volume and keeps other keys', async () => {
    const load = new LoadImaged({ keys: ['image', 'label'] });
    const input = { image: fixture('sform_las_int16.nii.gz'), label: fixture('int8.nii'), label_prompt: [1, 2] };
    const out = await load.apply(input);
    const image = out.image as Volume;
    expect(image.shape).to.deep.equal([1, 4, 3, 2]);
    expect(image.dtype).to.equal('float32');
    expect((out.label as Volume).meta.storedDtype).to.equal('int8');
    expect(out.label_prompt).to.equal(input.label_prompt);
    expect(input.image).to.be.a('string'); // the input sample is not modified
  });

  it('matches MONAI\'s 01_load reference bit for bit when created from a config', async function () {
    const sidecar = JSON.parse(readFileSync(sharedPath(this, 'reference/monai/ct_sm/01_load.json'), 'utf8'));
    const load = await loadImagedEntry.create({ keys: 'image', image_only: true }, context);
    const out = await load.apply({ image: sharedPath(this, 'data/ct/totalseg_example_ct_sm.nii.gz') });
    const image = out.image as Volume;
    expect(image.shape).to.deep.equal(sidecar.shape);
    expect(image.affine).to.deep.equal(sidecar.affine);
    const hash = createHash('sha256').update(new Uint8Array(image.data.buffer, image.data.byteOffset, image.data.byteLength)).digest('hex');
    expect(hash).to.equal(sidecar.sha256_float32_C_order);
  });

  it('resolves a path relative to the current directory', async () => {
    const out = await new LoadImaged({ keys: 'image' }).apply({ image: path.relative(process.cwd(), fixture('uint16.nii')) });
    expect((out.image as Volume).meta.filename).to.equal(fixture('uint16.nii'));
  });

  it('honours dtype (MONAI spellings) and keeps the stored type with dtype null', async () => {
    const asInt = await loadImagedEntry.create({ keys: 'image', dtype: 'np.int32' }, context);
    expect(((await asInt.apply({ image: fixture('uint16.nii') })).image as Volume).dtype).to.equal('int32');
    const keep = await loadImagedEntry.create({ keys: 'image', dtype: null }, context);
    expect(((await keep.apply({ image: fixture('uint16.nii') })).image as Volume).dtype).to.equal('uint16');
  });

  it('stacks a list of files as channels', async () => {
    const out = await new LoadImaged({ keys: 'image' }).apply({ image: [fixture('int8.nii'), fixture('uint16.nii')] });
    const image = out.image as Volume;
    expect(image.shape).to.deep.equal([2, 4, 3, 2]);
    expect(image.data[24 + 1]).to.equal(20000); // channel 1, x=0 y=0 z=1: uint16 value 100 * 200
  });

  it('adds a MONAI-style meta dict with image_only false, and refuses to overwrite an existing key', async () => {
    const load = await loadImagedEntry.create({ keys: 'image', image_only: false }, context);
    const out = await load.apply({ image: fixture('sform_las_int16.nii.gz') });
    expect(out.image_meta_dict).to.deep.include({ filename_or_obj: fixture('sform_las_int16.nii.gz'), spatial_shape: [4, 3, 2], space: 'RAS' });
    const error = await rejection(load.apply({ image: fixture('int8.nii'), image_meta_dict: {} }));
    expect(error.kind).to.equal('invalid_data');
  });

  it('skips missing keys only with allow_missing_keys', async () => {
    const strict = new LoadImaged({ keys: ['image', 'label'] });
    expect((await rejection(strict.apply({ image: fixture('int8.nii') }))).kind).to.equal('missing_key');
    const lenient = new LoadImaged({ keys: ['image', 'label'], allowMissingKeys: true });
    expect(Object.keys(await lenient.apply({ image: fixture('int8.nii') }))).to.deep.equal(['image']);
  });

  it('reports a missing file with image_not_found, the key and the transform id', async () => {
    const load = await loadImagedEntry.create({ keys: 'image' }, context);
    const error = await rejection(load.apply({ image: fixture('missing.nii.gz') }));
    expect(error.kind).to.equal('image_not_found');
    expect(error.location).to.include({ id: context.id, path: 'image', file: fixture('missing.nii.gz') });
  });

  it('rejects a value that is not a path, naming the key', async () => {
    const error = await rejection(new LoadImaged({ keys: 'image' }).apply({ image: 42 }));
    expect(error.kind).to.equal('invalid_data');
    expect(error.location.path).to.equal('image');
  });

  it('validates its arguments: MONAI names accepted, misspellings and other readers rejected', () => {
    const validate = new Ajv({ strict: true, allowUnionTypes: true }).compile(loadImagedEntry.argsSchema);
    expect(validate({ keys: ['image'], image_only: true, ensure_channel_first: true, reader: 'NibabelReader', dtype: 'float32' })).to.equal(true);
    expect(validate({ keys: 'image', imageonly: true })).to.equal(false);
    expect(validate({ keys: 'image', reader: 'ITKReader' })).to.equal(true);
    expect(validate({ keys: 'image', reader: 'monai.data.PydicomReader' })).to.equal(true);
    expect(validate({ keys: 'image', reader: 'PILReader' })).to.equal(false);
  });

  describe('reader names of zoo bundles, against MONAI 1.5 (test/fixtures/monai/LoadImaged.json)', () => {
    for (const c of monaiCases('LoadImaged')) {
      it(`${c.name} reads the NIfTI as MONAI does: same array and affine`, async () => {
        const load = (await loadImagedEntry.create(c.args as never, context)) as LoadImaged;
        const out = (await load.apply({ image: repoPath(c.input.image as string) })).image as Volume;
        expectArray(out, c.output.image as MonaiArray, 0, c.name);
        expect(out.affine).to.deep.equal(c.output.affine);
        expect(out.dtype).to.equal('float32');
      });
    }
  });

  it('says that DICOM is not read when given a folder (a series) or a .dcm file, with the conversion command', async () => {
    const load = (await loadImagedEntry.create({ keys: 'image', reader: 'PydicomReader' }, context)) as LoadImaged;
    const folder = mkdtempSync(path.join(tmpdir(), 'dicom-series-'));
    try {
      const error = await rejection(load.apply({ image: folder }));
      expect(error.kind).to.equal('unsupported_image');
      expect(error.message).to.contain('PydicomReader').and.contain('only NIfTI');
      expect(error.hint).to.contain('dcm2niix');
      expect(error.location.path).to.equal('image');
      writeFileSync(path.join(folder, 'slice1.dcm'), 'DICM');
      const file = await rejection(load.apply({ image: path.join(folder, 'slice1.dcm') }));
      expect(file.kind).to.equal('unsupported_image');
      expect(file.message).to.contain('a DICOM file');
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
