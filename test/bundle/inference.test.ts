/**
 * The VISTA3D bundle end to end through `node dist/cli/main.js run` (build first): every prompt mode of the
 * original README on the sample CT, outputs read back. Logic tests run the 3 mm sample unresampled with 64-voxel
 * patches (FAST) to stay quick; the demo network is an intensity model, so the checks are about what the
 * pipeline guarantees (ids, grids, windows), not about anatomy.
 */
import { expect } from 'chai';
import { EVERYTHING_LABELS, DEFAULT_SUBCLASS } from '../../src/apps/vista3d/labels.js';
import { cleanup, FAST, labelCounts, LIVER_VOXEL, readOutput, runVista, SAMPLE, SAMPLE_AFFINE, SAMPLE_SHAPE, SPLEEN_VOXEL, valueAt } from './vistaRun.js';

const ids = (counts: Map<number, number>) => [...counts.keys()].sort((a, b) => a - b);

describe('bundle/configs/inference.json through bundle run', function () {
  this.timeout(120_000);

  it('a label prompt writes <output_dir>/<stem>/<stem>_trans.nii.gz on the input grid, float32, with the prompted ids only', async () => {
    const run = await runVista({ image: SAMPLE, label_prompt: [1, 3] }, FAST);
    try {
      expect(run.code, run.stderr).to.equal(0);
      expect(run.files).to.have.length(1);
      expect(run.files[0]).to.match(/totalseg_example_ct_sm[\\/]totalseg_example_ct_sm_trans\.nii\.gz$/);
      const out = await readOutput(run);
      expect(out.shape).to.deep.equal(SAMPLE_SHAPE);
      expect(out.affine).to.deep.equal(SAMPLE_AFFINE);
      expect(out.meta.storedDtype).to.equal('float32');
      const counts = labelCounts(out);
      expect(ids(counts)).to.deep.equal([0, 1, 3]);
      expect(valueAt(out, LIVER_VOXEL)).to.equal(1);
      expect(run.stdout).to.match(/\b1\s+liver\s+\d+/).and.match(/\b3\s+spleen\s+\d+/);
    } finally {
      cleanup(run);
    }
  });

  it('names are prompts too, and bone (21) writes its subclass ids, never 21', async () => {
    const run = await runVista({ image: SAMPLE, label_prompt: ['Bone'] }, FAST);
    try {
      expect(run.code, run.stderr).to.equal(0);
      const found = ids(labelCounts(await readOutput(run))).filter((id) => id !== 0);
      expect(found.length).to.be.greaterThan(0);
      expect(found).to.not.include(21);
      for (const id of found) expect(DEFAULT_SUBCLASS['21']).to.include(id);
    } finally {
      cleanup(run);
    }
  });

  it('everything mode (no prompt) writes only ids of the 117 everything labels, several of them', async () => {
    const run = await runVista({ image: SAMPLE }, FAST);
    try {
      expect(run.code, run.stderr).to.equal(0);
      const found = ids(labelCounts(await readOutput(run))).filter((id) => id !== 0);
      expect(found.length).to.be.greaterThan(3);
      for (const id of found) expect(EVERYTHING_LABELS).to.include(id);
    } finally {
      cleanup(run);
    }
  });

  it('clicks only: 1 around the positive click, 255 where no point window ran, 0 elsewhere', async () => {
    const run = await runVista({ image: SAMPLE, points: [SPLEEN_VOXEL], point_labels: [1] }, FAST);
    try {
      expect(run.code, run.stderr).to.equal(0);
      const out = await readOutput(run);
      expect(out.shape).to.deep.equal(SAMPLE_SHAPE);
      expect(valueAt(out, SPLEEN_VOXEL)).to.equal(1);
      expect(valueAt(out, LIVER_VOXEL)).to.equal(255); // 64-voxel window around the spleen click does not reach the liver
      expect(ids(labelCounts(out))).to.deep.equal([0, 1, 255]);
      expect(run.stdout).to.match(/\n\s+1\s+object at the clicks\s/); // 1 is the clicked object here, not liver
    } finally {
      cleanup(run);
    }
  });

  it('a negative click removes the label-prompt component under it (label + clicks)', async () => {
    const labelOnly = await runVista({ image: SAMPLE, label_prompt: [3] }, FAST);
    const withClick = await runVista({ image: SAMPLE, label_prompt: [3], points: [SPLEEN_VOXEL], point_labels: [0] }, FAST);
    try {
      expect(labelOnly.code, labelOnly.stderr).to.equal(0);
      expect(withClick.code, withClick.stderr).to.equal(0);
      const before = await readOutput(labelOnly);
      const after = await readOutput(withClick);
      expect(valueAt(before, SPLEEN_VOXEL)).to.equal(3);
      expect(valueAt(after, SPLEEN_VOXEL)).to.equal(0);
      expect(ids(labelCounts(after)).every((id) => [0, 3, 255].includes(id))).to.equal(true);
    } finally {
      cleanup(labelOnly);
      cleanup(withClick);
    }
  });

  it('input_dict may be a list of dicts: one output per item', async () => {
    const run = await runVista([{ image: SAMPLE, label_prompt: [3] }, { image: SAMPLE, label_prompt: [1] }], [...FAST, '--separate_folder', 'false', '--output_postfix', 'seg']);
    try {
      expect(run.code, run.stderr).to.equal(0);
      // same stem twice: MONAI's naming makes the second overwrite the first
      expect(run.files.map((f) => f.slice(run.outputDir.length + 1))).to.deep.equal(['totalseg_example_ct_sm_seg.nii.gz']);
      expect(run.stdout).to.match(/done: 2 items/);
    } finally {
      cleanup(run);
    }
  });
});
