/**
 * MONAI's 04_scale stage, reproduced from its 03_crop output (../shared/reference/monai, README section 4:
 * float32 arithmetic is bit-exact with MONAI).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { readNifti, type Volume } from '../../../src/image/index.js';
import { silentLogger } from '../../../src/registry/ComponentEntry.js';
import { scaleIntensityRangedEntry, type ScaleIntensityRanged } from '../../../src/transforms/intensity/ScaleIntensityRanged.js';
import { sharedPath } from '../../helpers/shared.js';

/** A stage's NIfTI file: its sidecar's `stored.file` (set when the array is identical to an earlier one). */
function stageFile(ctx: Mocha.Context, variant: string, stage: string): string {
  const sidecar = JSON.parse(readFileSync(sharedPath(ctx, 'reference/monai', variant, `${stage}.json`), 'utf8')) as { stored?: { file?: string } };
  return sharedPath(ctx, 'reference/monai', variant, sidecar.stored?.file ?? `${stage}.nii.gz`);
}

for (const variant of ['ct_sm', 'ct_sm/pixdim_keep']) {
  describe(`ScaleIntensityRanged against MONAI (${variant} 03_crop -> 04_scale)`, function () {
    it('reproduces every voxel bit for bit, with the same shape and affine', async function () {
      const sidecar = JSON.parse(readFileSync(sharedPath(this, 'reference/monai', variant, '04_scale.json'), 'utf8')) as {
        shape: number[];
        affine: number[][];
        params?: Record<string, unknown>;
        sha256_float32_C_order: string;
      };
      const input = await readNifti(stageFile(this, variant, '03_crop'));
      const t = scaleIntensityRangedEntry.create(
        { keys: 'image', a_min: -963.8247715525971, a_max: 1053.678477684517, b_min: 0.0, b_max: 1.0, clip: true },
        { id: 'preprocessing::transforms::6', bundleRoot: '/', logger: silentLogger },
      ) as ScaleIntensityRanged;
      const out = (await t.apply({ image: input })).image as Volume;
      expect(out.shape).to.deep.equal(sidecar.shape);
      expect(out.dtype).to.equal('float32');
      const sha = createHash('sha256').update(new Uint8Array(out.data.buffer, out.data.byteOffset, out.data.byteLength)).digest('hex');
      if (sha !== sidecar.sha256_float32_C_order) {
        const expected = (await readNifti(stageFile(this, variant, '04_scale'))).data;
        let maxAbs = 0;
        let sumAbs = 0;
        let differing = 0;
        for (let i = 0; i < expected.length; i++) {
          const d = Math.abs(out.data[i]! - expected[i]!);
          if (d > 0) differing++;
          maxAbs = Math.max(maxAbs, d);
          sumAbs += d;
        }
        expect.fail(`not bit-exact: ${differing} voxels differ, max-abs ${maxAbs}, mean-abs ${sumAbs / expected.length}`);
      }
      expect(out.affine).to.deep.equal(input.affine);
    });
  });
}
