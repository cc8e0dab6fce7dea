import { expect } from 'chai';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { writeNifti } from '../../src/image/nifti/write.js';
import { TmpDirs } from '../config/tmpBundle.js';
import { bundleCli } from './bundleCli.js';

/** A 2-D NIfTI given to a 3-D bundle is rejected by name, not run as X x Y x 1. */
describe('a 2-D image (built CLI)', function () {
  this.timeout(120_000);
  const tmp = new TmpDirs();
  after(() => tmp.cleanup());

  it('bundle run fails with unsupported_image naming the file, its 2-D shape and the 3-D expected; nothing is written', async () => {
    const dir = tmp.bundle({});
    const file = path.join(dir, 'slice.nii');
    const eye = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]];
    await writeNifti(file, {
      data: new Int16Array(64 * 64).fill(100),
      dtype: 'int16',
      shape: [1, 64, 64, 1],
      affine: eye,
      meta: { originalAffine: eye, originalSpatialShape: [64, 64, 1] },
      appliedOperations: [],
    });
    const bytes = readFileSync(file);
    bytes.writeInt16LE(2, 40); // NIfTI-1 dim[0]: a 2-D image of 64 x 64
    writeFileSync(file, bytes);
    const out = path.join(dir, 'out');
    const r = await bundleCli(['run', '--input_dict', JSON.stringify({ image: file, label_prompt: [3] }), '--output_dir', out]);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.match(/^error\[unsupported_image\]: .*slice\.nii is a 2-D image \(64x64\); LoadImaged loads 3-D volumes/m);
    // no segmentation written (where a failed run's summary goes is another matter)
    expect(readdirSync(dir, { recursive: true }).map(String).filter((f) => f.endsWith('.nii.gz'))).to.deep.equal([]);
  });
});
