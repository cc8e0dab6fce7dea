/**
 * End-to-end against MONAI 1.5.0's own sliding-window outputs (../shared/reference/monai): the box-filter ONNX
 * run window by window through onnxruntime on the 05_orient input must give 06_sw_constant / 06_sw_gaussian
 * to 1e-6, and the gaussian importance map must match to 1e-7.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { readNifti } from '../../src/image/index.js';
import { OnnxNetwork } from '../../src/inference/OnnxNetwork.js';
import { SlidingWindowInferer } from '../../src/inference/SlidingWindowInferer.js';
import { importanceMap } from '../../src/inference/windows.js';
import { repoPath, sharedPath } from '../helpers/shared.js';

const network = new OnnxNetwork({ path: repoPath('test', 'fixtures', 'inference', 'box_filter_3x3x3.onnx') });

function maxAbs(a: Float32Array, b: ArrayLike<number>): number {
  expect(a.length).to.equal(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** The stage's array file, following `stored.identical_to` links. */
function stageFile(folder: string, stage: string): string {
  const sidecar = JSON.parse(readFileSync(path.join(folder, `${stage}.json`), 'utf8'));
  return path.join(folder, sidecar.stored.file);
}

describe('inference/SlidingWindowInferer against MONAI 1.5.0', () => {
  for (const variant of [['ct_sm'], ['ct_sm', 'pixdim_keep']]) {
    for (const mode of ['constant', 'gaussian'] as const) {
      it(`reproduces ${[...variant, `06_sw_${mode}`].join('/')} with the box-filter ONNX to 1e-6`, async function () {
        const folder = sharedPath(this, 'reference', 'monai', ...variant);
        const params = JSON.parse(readFileSync(path.join(folder, `06_sw_${mode}.json`), 'utf8')).params;
        const input = await readNifti(stageFile(folder, '05_orient'));
        const expected = await readNifti(stageFile(folder, `06_sw_${mode}`));
        const inferer = new SlidingWindowInferer({
          roiSize: params.roi_size,
          swBatchSize: params.sw_batch_size,
          overlap: params.overlap,
          mode: params.mode,
          sigmaScale: params.sigma_scale,
          paddingMode: params.padding_mode,
          cval: params.cval,
        });
        const out = await inferer.infer({ type: 'float32', dims: [1, ...input.shape], data: input.data as Float32Array }, network);
        expect(out.dims).to.deep.equal([1, ...expected.shape]);
        expect(maxAbs(out.data as Float32Array, expected.data)).to.be.at.most(1e-6);
      });
    }
  }

  it('computes the gaussian importance map of roi 32x32x16 to 1e-7', async function () {
    const expected = await readNifti(sharedPath(this, 'reference', 'monai', 'ct_sm', 'importance_map_gaussian.nii.gz'));
    expect(maxAbs(importanceMap([32, 32, 16], 'gaussian', 0.125), expected.data)).to.be.at.most(1e-7);
  });
});
